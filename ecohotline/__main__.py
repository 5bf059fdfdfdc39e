from ecohotline.cli import main

main()
