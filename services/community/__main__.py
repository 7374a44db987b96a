from services.community.bootstrap import PORT, create
from services.kernel.app import serve

serve(create(), PORT)
