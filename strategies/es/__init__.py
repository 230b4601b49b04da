"""Evolution strategies written in numpy, each behind the Strategy protocol.

``OpenAIES`` (Salimans et al. 2017), ``PGPE`` (Sehnke et al. 2010), ``SNES`` and ``XNES``
(Wierstra et al. 2014) and ``OnePlusOneES`` (the (1+1)-ES with the 1/5th success rule), one
module each; :mod:`strategies.es._base` holds the shared ask/tell plumbing. CMA-ES is the
adapter in :mod:`strategies.cmaes`.
"""

from strategies.es.one_plus_one import OnePlusOneES
from strategies.es.openai_es import OpenAIES
from strategies.es.pgpe import PGPE
from strategies.es.snes import SNES
from strategies.es.xnes import XNES

__all__ = ["OpenAIES", "PGPE", "SNES", "XNES", "OnePlusOneES"]
