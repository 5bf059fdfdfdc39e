"""National and Beijing standards as pure functions: AQI, noise, surface water, catering fumes.

No database and nothing of ours is imported here; every function takes readings and the date (or time) of the
measurement and returns the verdict under the version of the standard in force then, or raises
`StandardsError` (a stable `code`, the offending `field`, a translatable message) for input it cannot judge.

    from ecohotline.standards import aqi
    aqi({"pm25_24h": 76, "pm10_24h": 120}, on=datetime.date(2026, 5, 1)).category  # "良"
"""

from ecohotline.standards.aqi import AqiResult, aqi
from ecohotline.standards.errors import StandardsError
from ecohotline.standards.fumes import FumesVerdict, fumes_verdict
from ecohotline.standards.noise import NoiseStandard, NoiseVerdict, noise_verdict
from ecohotline.standards.water import WaterClass, WaterClassResult, water_class

__all__ = [
    "AqiResult", "FumesVerdict", "NoiseStandard", "NoiseVerdict", "StandardsError", "WaterClass",
    "WaterClassResult", "aqi", "fumes_verdict", "noise_verdict", "water_class",
]
