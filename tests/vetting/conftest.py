import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.test.testcases import LiveServerThread


@pytest.fixture
def start_live_server():
    """Start a threaded live server and return its base URL.

    Unlike pytest-django's session-wide live_server, each request thread opens its own database
    connection, and the server starts with the settings of the moment: change them (the
    `settings` fixture) before calling, as middleware reads some of them once, at start.
    """
    threads = []

    def start() -> str:
        thread = LiveServerThread("localhost", StaticFilesHandler, connections_override={})
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        threads.append(thread)
        return f"http://{thread.host}:{thread.port}"

    yield start
    for thread in threads:
        thread.terminate()
