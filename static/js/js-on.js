// Marks the page as scripted before it is first drawn: CSS then shows the player's timer and
// tucks away the typed-in amounts at once, instead of moving things when player.js runs.
document.documentElement.classList.replace("no-js", "js");
