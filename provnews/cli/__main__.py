"""`python -m provnews.cli`: the same as the `provnews` script."""
from provnews.cli import main

main()
