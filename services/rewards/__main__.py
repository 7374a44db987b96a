from services.kernel.app import serve
from services.rewards.bootstrap import PORT, create

serve(create(), PORT)
