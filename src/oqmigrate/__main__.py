from oqmigrate.cli import main

main()
