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


@pytest.fixture(scope="module")
def private_mariadb():
    """A migrated MariaDB server of the module's own (started; stopped at the end)."""
    import pathlib
    import shutil
    import tempfile

    from tests.conftest import MYSQL_REQUIRED
    from tests.faults.mariadb import PrivateMariaDB, available

    if not available():
        if MYSQL_REQUIRED:
            pytest.fail("mariadbd and mariadb-install-db are required here")
        pytest.skip("no mariadbd to start")
    # Not under pytest's own temporary directory: the mysql user cannot enter it.
    directory = pathlib.Path(tempfile.mkdtemp(prefix="radar-mariadb-"))
    server = PrivateMariaDB(directory).start()
    try:
        engine = make_engine(server.url)
        migration.upgrade(engine)
        engine.dispose()
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
