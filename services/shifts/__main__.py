from services.kernel.app import serve
from services.shifts.bootstrap import PORT, create

serve(create(), PORT)
