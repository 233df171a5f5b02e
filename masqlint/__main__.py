from masqlint.cli.main import main

raise SystemExit(main())
