from masqlint.cli.main import run

run()
