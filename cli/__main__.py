from tierscope.cli.main import run

run()
