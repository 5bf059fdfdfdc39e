"""National and Beijing standards as pure functions: AQI, noise, surface water, catering fumes.

No database and nothing of ours is imported here; every function takes readings and the date (or time) of the
measurement and returns the verdict under the version of the standard in force then.
"""
