from services.intake.bootstrap import create
from services.kernel.app import serve

serve(create(), 8081)
