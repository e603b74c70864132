from sbdk.cli import main

main()
