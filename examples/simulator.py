"""A thermostat simulator run from the command line: the target of ``nondiff optimize --command``.

A room loses heat to the outside (Newton's law of cooling) and is warmed by a heater with a few
discrete power levels, commanded by a PI controller that reads a thermometer (instant, or lagging
behind the air temperature). One simulated day, one-minute steps. The controller gains are real,
the number of heater levels is an integer and the thermometer is a categorical choice; quantized
power, a deadband and clamping make the cost piecewise constant in every parameter, so there is no
useful gradient: a job for black-box search.

Run it by hand::

    python examples/simulator.py --kp 0.8 --ki 0.002 --levels 3 --sensor fast

It prints a few log lines, then the cost (lower is better) on the last line of stdout; with
``--json`` the last line is a JSON object with the cost and its parts instead.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

MINUTES = 24 * 60
TAU_ROOM = 300.0  # minutes: time constant of heat loss to the outside
HEAT_GAIN = 0.035  # degrees C per minute per kW of heater power
HEATER_KW = 4.0
TAU_SLOW_SENSOR = 20.0  # minutes: a thermometer in a wall box lags behind the air
PRICE_PER_KWH = 0.15  # cost units per kWh, against one unit per degree-hour of discomfort
SWITCH_COST = 0.01  # wear of the heater relay, per change of power level


def outside(minute: int) -> float:
    """Outside temperature: 5 C on average, coldest at 3:00, warmest at 15:00."""
    return 5.0 - 5.0 * math.cos(2.0 * math.pi * (minute - 180) / MINUTES)


def setpoint(minute: int) -> float:
    """21 C while people are up (7:00-23:00), 17 C at night."""
    return 21.0 if 7 * 60 <= minute < 23 * 60 else 17.0


def simulate(kp: float, ki: float, levels: int, sensor: str, deadband: float) -> dict:
    """One day of the closed loop; returns the cost and its parts."""
    room = measured = 17.0
    integral, level, switches, kwh, discomfort = 0.0, 0, 0, 0.0, 0.0
    for minute in range(MINUTES):
        error = setpoint(minute) - measured
        # Clamped integral (anti-windup): the heater cannot go above full power anyway.
        integral = min(max(integral + error, -1.0 / max(ki, 1e-12)), 1.0 / max(ki, 1e-12))
        command = min(max(kp * error + ki * integral, 0.0), 1.0)
        wanted = round(command * levels)
        if wanted != level and abs(error) >= deadband / 2:
            level, switches = wanted, switches + 1
        power = HEATER_KW * level / levels
        room += (outside(minute) - room) / TAU_ROOM + HEAT_GAIN * power
        measured = room if sensor == "fast" else measured + (room - measured) / TAU_SLOW_SENSOR
        kwh += power / 60.0
        discomfort += abs(room - setpoint(minute)) / 60.0
    cost = discomfort + PRICE_PER_KWH * kwh + SWITCH_COST * switches
    return {"cost": cost, "discomfort": discomfort, "energy_kwh": kwh, "switches": switches}


def parse_args(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Simulate one day of a thermostat.")
    parser.add_argument("--kp", type=float, required=True, help="proportional gain, per degree C")
    parser.add_argument("--ki", type=float, required=True, help="integral gain, per degree-minute")
    parser.add_argument("--levels", type=int, default=1, help="heater power levels above off")
    parser.add_argument("--sensor", choices=("fast", "slow"), default="fast")
    parser.add_argument("--deadband", type=float, default=0.0, help="degrees C of hysteresis")
    parser.add_argument("--json", action="store_true", help="print a JSON object last")
    args = parser.parse_args(argv)
    if args.kp < 0 or args.ki < 0 or args.deadband < 0:
        parser.error("--kp, --ki and --deadband must be >= 0")
    if args.levels < 1:
        parser.error("--levels must be >= 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    print(f"simulating {MINUTES} minutes: kp={args.kp} ki={args.ki} levels={args.levels} "
          f"sensor={args.sensor} deadband={args.deadband}")
    out = simulate(args.kp, args.ki, args.levels, args.sensor, args.deadband)
    print(f"discomfort {out['discomfort']:.3f} degree-hours, {out['energy_kwh']:.2f} kWh, "
          f"{out['switches']} switches")
    print(json.dumps(out) if args.json else f"{out['cost']:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
