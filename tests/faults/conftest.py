"""A MariaDB database reached through a TcpProxy, so that tests can make it fail."""

import pytest
from sqlalchemy.engine import make_url

from radar_core import migration
from radar_core.db import make_engine
from tests.conftest import create_database_url
from tests.faults.proxy import TcpProxy


@pytest.fixture
def proxy_db(tmp_path):
    """(proxy, URL through the proxy) of a fresh, migrated MariaDB database."""
    url, drop = create_database_url("mysql", tmp_path)
    direct = make_engine(url)
    migration.upgrade(direct)
    direct.dispose()
    parsed = make_url(url)
    proxy = TcpProxy(parsed.host, parsed.port or 3306)
    yield proxy, parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    proxy.close()
    drop()
