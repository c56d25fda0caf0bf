from hycompliance.cli import main

main()
