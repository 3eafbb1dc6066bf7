from core.errors import ApplicationError


class NoExposedSites(ApplicationError, code="no_exposed_sites"):
    """A licence cannot be derived from QD around a storehouse with no exposed site registered:
    the result would be the tables' range, not what the site allows."""
