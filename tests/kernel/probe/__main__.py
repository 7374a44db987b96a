from services.kernel.app import serve
from tests.kernel.probe import create

serve(create(), 8099)
