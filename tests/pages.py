"""Reading what a page was drawn from."""


def shown(response, name: str):
    """A value the page had to draw from. Some pages hand their template callables, computed
    only when a region is drawn afresh rather than found in the cache: this calls them."""
    value = response.context[name]
    return value() if callable(value) else value
