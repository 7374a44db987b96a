from services.kernel.app import serve

from .bootstrap import create

serve(create(), 8085)
