from uts.cli import main

main()
