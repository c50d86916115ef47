"""Fitted initial counts of the format-2 context model, per model family.

Each table is stored below as zlib-compressed big-endian uint16 pairs
``(ones, totals)`` for the :data:`~residual_compression.entropy.NUM_CONTEXTS`
contexts, base64-encoded, with the sha256 of the uncompressed bytes: a table
that fails its check is refused, as the zoo refuses a weights file. The id
of a table is written in every stream coded with it, so a table is never
changed in place: a new fit gets a new id (1..15) and the old one stays for
the streams that name it.

:func:`fit` makes a table from codes: the counts of each context over the
codes, scaled so no context starts with more than ``strength`` observations
(the adaptation then takes over quickly on large images).
"""

import base64
import hashlib
import zlib

import numpy as np

from residual_compression.errors import ResidualCompressionError

__all__ = ["TABLES", "fit", "load", "pack"]

# id -> (name, model ids fitted for, sha256 of the raw counts, data chunks)
TABLES = {}

TABLES[1] = (
    "conv_lstm v1: 400 training-split photo thumbnails, strength 64",
    (13, 14),
    "e4b8187fdf40c2a10f43dd35ee67cb165c191354dfa18b9ddd43294501c773ea",
    (
        "eNrtXWtb2zgT1Yf9sM8upRRC4lt8zcWBBAK00Ha3Lf//V71vRrkceexYLDLLJjPPkzzpII8tWXN0dCS7SokdkfWY"
        "55R5EuY5t4gcM0/GPB7zTDqr6XVnkUvmWVqc/cYi8hPzLJjnK/N8lm4tJnZwdsoQ+A/wXDA8j+j7Twvc/sBwm8c5"
        "Y0gegGfktKaX8HvsNHIEv3NWizkbua7oe7oXgbn/kY2b12x0+wLxtd1LFz8qG1b6o1L9/39CxqIyxplii8jmUTnL"
        "0ZAxu5HzPMbI404i55XsVGq2zWzM4TljY218cMXh7lgtzDj3jOvZRBY7PPu4zt6dnW3H5I0N1pm57yhuATuKx0mZ"
        "J+4sl8POcnlVg4Jl95zNRc18LyqjaJ2txt1bdtSUlTHzfQy5PACs9qgVzqHN+4S3GbR5Tn/tQ5lBhdeomsgBxRkA"
        "eg+pzh5c7crj0xFjuM7C6V0oG9H1tdxrDK1dUF/KYRadG21eUnvO4f4uGvreqswDzH5v6D4sIE5Kx32GMrfkX0Lk"
        "hcDYUVgKrP8T/f6gdlrUCc1+gnVmbrIyVb+D56QBt38HzP+NUDiAc2WUy7/B7OpPyooAEKCn6nSy17Cjzdl9p7mc"
        "ALLpseYj8NJTyskEsjshZnYK+ZsybN+1wBS43A1hWwLoNKL7kAN+zqlMDtdTwnmDxjbZ3ZeMYeDQgtNy/pwzj8nV"
        "p52Ny9N1m3YTecIYtVnTkiHzjUV/42WuVVVP5Zg/txjxxQ7PLpiC1V9zaNPTYxz7tCXygB3lq+rqhM/OHjAkcYnb"
        "w04ihzCK7RAyYeNjxMqELZHnjIVmDJHGLLsnkN0xRBjRNaBH4xvGLOkcPmDRpOE6PSgzo7uWA+aP6a/ncCUlxUI9"
        "ZGahuthbBueaq7oVpH9q2MIz+p2D54ba8wo8V/S5BkRdqvq1qdXc6BF+z41zXdG5kYfPqQ3nMMrfijZyNNYDRB1Q"
        "xgVqt4YwoJy8BIz1CPE8wPN+A7peAsfuE0p4gGk+xRlA5A90TASe0Cm6DiqR3bE7ZKHptqYRtMN03baI5GPwFGsU"
        "qIucAmLMCZFC+GtEHh8iLyhaBtczqlEwdkg+ZCMa1589i3EwYzxzytjplJUpO+nVZWfsfcxYLmfUM8Z7byyY8B3T"
        "vjh/njPMXyi7HQpih2WXa02kjXUPGNq37Qmq59gDxqjPGZJ0w7H56psrC1i9YsZLucIwtKgpnxdEtVydY28KbZ4D"
        "x86ofAEIk1BZZNS5MV40zQU+QpwJXdWwwqhzAz81dhXg4TOI11hRYaczZ5FTZerYU7q/U0DOgs4+NrhxAUx42VDT"
        "JWD1kj4juPIZnWUBxy7pahaVs4uOfRz2EbD6nND1FPjzOSE1YmyPPH/AURcMqXbHYmSfxoU+eDw6Vw9QxV9/79id"
        "O9yucv7U6TzlEkaokP4VALoO6V+eofmEoAaUDXiYQp4GVA5nNHoOgujtbRWPIYwIBdS636LkZEzJuVD1a47V6+Tj"
        "RdFShrNul+Ny1klk3j4Fq+mk1pNYaF9lC5+fqzqteyYwdnTWZ1nZZ7yX4+eFBcceMpSIaplnwNhpN0w4Vl3p2AFT"
        "D/hMIVFVzTazGJUyVadjhy1IMgYe24Pyem23D4xarz+i6p7T50yZK6pNOrYHmJzQETHEiY15jcauDNCpVC6fscD9"
        "G25HBK+ifQ2NWcyUMiiDumgkx3tXNPCEXO1UaM3SUWXS850UjtVqyQhqNxXcPhpDhhwQuuK+Pq1phJBxmtFFgMPx"
        "Hn6IurFnKKIx/Y7g7H1i14g8I6dMGNm77xS3MbLGQx/a54JqmrN8LyGXE1Wv6OK61ZRyNWXYG8FoW9CVIJJkytxJ"
        "ErB5R69lRDu34NgeG2G5/hNCK+G40NXo2Z32FbfoUQVj+DYqH9/lyOPwHexT1eUzhWLv1QJV9yQF54cJy8G2vOD6"
        "Z1rbD7NGfujW0s56ON95zvOLr9AlFqNSzmbHI5bdM1avEngX7qyOmG4T0icCLErprCcVzSppwOpPBguNlLnuGdCx"
        "IYwgQ0MTHjlVMAKIljvtRRG0oe75YWV+ERvPH43JW11BqLvX2AJ69jRkvAV3y+tRGHvFpLN8EXtvFleYcGjoGCnl"
        "agq5rFejQsjBuAEDkUH1CT0SOJdWGgvAhBHFnFT4odtd0xFcm7vVrhwiJ9t64Y4O31Ck9arfTUUZqNtLgGtnN2qz"
        "1zoxzlVCvkd0L3BdbwJt2GMK1cn6Y6phAePYbfyQr0p7tXz+kqFr0kmvvuyUY4eNM6ydJ3wx549U3fpyzGYuIevV"
        "mcDY0VnI+kah6hRX/mxF2/ODI4bnGeMDfG9bprra91WornaupqpuVeiqpcyVxai0ar8Fq4UZme/1najdLoVBRdcK"
        "CVUCQ7PyKzw8oXVhvxFvd5oP6j96jTU3UAh3aeqROq4wYXej5wCixU5VF79Sr8RY89XP4KOKrp9viiuKWdzAJQqI"
        "kxtP2WsPrmZqVW3EWLfYMRgqrlqNzJT53HFsKCQ6H3EvcZMaWVZmdjNjzVFnbq52a5fn27ke6r3u5no4KgWqq/3Y"
        "ej47hDztUcsmlXplhLGbN7usMPu2JjJqHXeEyWmFURdrnWHHdXNDM0E8vGQce7Un6ANjpz4r0/YuAv5+Eq6Zn6nq"
        "DtKBcvnsTPVeF51EvmDt01fV9zn4qm6N3maeEjGOnTIPX3EWrD4+Sxl/nqi6d/uMmaeNH2aMDeaMUV8xfjhSXa19"
        "c77qkr2bKMGfbhizeiUW85ScteGEzUFWeP9geKZQU1+ZO6sD471Mgdq86yM35uOngCFnqn59GVUUje34FKRex8yV"
        "+YxPYmhEsXK5vhxAn7RpW3uLKvXKDO3lgtoH92PrXSJepQ2zhvFlAmUCo310HFTeii3HLl8wUxM7DOspc7fGYL1T"
        "evdX39jBpTMUdbl9a1KbfvhpO1+OjHn66vsEysSGthk7ny+HBhd1iRKIfkPjSdKzreaAZVJD2bhW9e8VQRU6I54d"
        "VfSNjOpyCrmfGeubTasMYodrz448bxnZVU2lDcXExP6LWP38Cs9bRnZVU2lDsUPM52cHnvrI9xZxvr04squadtuG"
        "S4sy3/+1uyMmufyyXH5P/fCtc/l9tCH//U88P2uubQllvlvEWb2j7qnx2tzeha4jr7SsB/D8qinz0+J63Nwdwe3j"
        "w2r9ewieRUPfCMHztaG3eOAvGuJ8Ak/ScT98y8ieRb1i8Dw0XE9skacleL7tbUMZl4XbiAnHllw+VI79ZDHGTStl"
        "vtbEeXhDfviWke8ctaFwbLHX9ENXvYXPqflRP8BzRxzxMHL5R0dt+Lq7I+OycBsx4diSy4fKsaueLzXXNlc7fXtV"
        "Zvkv88O3jGzDSaqeR0fj8nfh2ILVHXPsuvWm2yPJ5R8WZe6FY8u4LBxbTPqh5HLH4/Ij/P7riDn29bvQvsSEY7vp"
        "h78s4jwcaC63eX4o0bFlXBaOLSb9UHL57Tj2L1Wvrx4Lx34Wji12IBz7XrVruX8faC5/UbJXRMZl4dhi0g8ll98H"
        "x9489/e0J87PA+XYd2vP5z11XwjHFnsHHPvxBf3w2544mz0S1weWy09rz80bcuxSOLZwbDHh2JLLwrEtxpR9+s/y"
        "wDn21Z66b/6vitXzob9aIn9W9c+RPavdfvivwrEFqxuy6ZujXF7uibN5A/bqTf9/H1Aub+Ygd3vq/pcjjp3tb+f/"
        "Aeb/IFA="
    ),
)


TABLES[2] = (
    "conv_lstm_photo v1: 400 training-split photo thumbnails, strength 64",
    (15, 16),
    "cfc6f49495b47067b6e99c62064df61a40e387c79689f4d0bb1f89e49615b0c9",
    (
        "eNrtXWl327YSxdd3XtvXWBv3fdFiJa7bJE3j7f//qncEiNIFhxThGtSxpZlzosgwOCSGmDt3BiAtBMsVyZy0fCItAW"
        "mZGmgOSUtkcPZ4tJGmZ9R8S1oK0rI00LwlLSVpuSctNU9rFpaLkxl8z+Tn7wRvPWjJCVZHPZqnBIFdgl2I1RXB6srq"
        "SH34vrKqOSYInEPLZ2KlFbmGzz2abwkmpwSTK9InG22kLO9dHMKtblpzX3l1SY5yBzR7hH9FhKcs9v/0PskoIw06+a"
        "AtzTlhSDnx+ZS01AZIkROep7fkpCXr5Hosly5+K/aqPGpC+gQkoi9erdkn3uTucUGfveP4cjJaLpW34qH6qR7wQY8c"
        "1Z2L1mQUGUG/FbFhBahbwTWkkjNt4dip7F8CZ0rkvS3grk177q8P32/kiCpNjwM237X8Jntm0JJbnckbwFJ7GfluBG"
        "vgi5m8Cy4wpFSOaQV8KJEeUwL3mndoXoPmtfSyCGxYS/us4V78IfvUMNLKqg1Z3rNk4Du5vPcRZFdTOU8Q5VKZK3iA"
        "sX4PBk4Az105bzPwoEy2hKDHlfNwAX2CzhrPW0YaAOJtrWmuwZsK6XUVxKndGO/kZwZYupHe1njlXc/11HBUJvukYO"
        "1E3rMSsrRY9olbfTbw25DwXofEgvjVfDUhfXIyK0IS8WuDaPXvJBJjVU9zUjmgkZriZ2FQFajINVP+nHey94xh7OrE"
        "7fTlGenjkj4TA80uYZU+afEIAgSjedw4vhx2jiIlSBIMtHTjT0T4XjTA5xPADcy4K3ls0IoFM4kNmRbHfch00h6OnQ"
        "JvVLlSCBZW+IY1gbXUnMH151YxB9np0mrFAG2ooiTiZy1nQAEWU9WSGlh32cNAVi0eHu/5DOZEWA9ZSt8rYHRLq9yG"
        "5b3XQ0Lw00j+FEE2HWq8K5L9XKFqoA0H68LAOWC+4g/I8QKJb4hyam5H0JJa9eUAxlVY9eUIYlB2yIVDGHtFbJjv8+"
        "jj2OsePMR6QqnFslSeJYOzu9J7o9a5kl5+SFn3krBBkxiXkyoW5c8rYvP1aDhTjsY8SxKFV8RiNemzNRjpF9JnSbj6"
        "lsyTtbC9psfyUXB7TrjxhLA4nS2b1LEjwjxpS0w0Z6J/1frtHHsc9u4RGwZkXBHJL1IxvK5HkZbqoeNCG3rw21h+D+"
        "G8qooSt+JOoEUHmkEce2IFZq7FJnUNGcSFVJ4lBfSuhc01ixAQbGMVzXywp6oC4eqqqmynMNL4wLqrgSpQChZTFRW0"
        "mIqGeHdWh2pYNnp9ieW9iQeoq1aREKt96deYuTty3jqQI897MBDxStW9U/B6xUKxT3bI1v1RODbWXjJhc/0xEMdq8E"
        "KOyAP7uHJECYxLratiNaCvGlkCmhWyH+pR2Y0DSBIeqhDIq9PeWJl0In9M+jgGMSUjR8UDrJtySJsVjPHq2HpWUpCW"
        "srNlaL7divbaMd2FsiF5yng2ZHnPEhMWFxL+nJJZ5xpw7IIwKIoJazLD69HmYTEaG4lJ5MoJHhbEhhnpQ2UjulayUt"
        "In67WhC2dRfNuDulYofxu2aimxvLeeFs27mWehHRXCtakaUQhzID7Er66Y8nZxYRR2ZxGutqvYt2hlLlPNSoqHh0Jf"
        "TXB7ogDmKYHGbdR9cVvcJtf2DCRirL1VLO9NMNtVu2o9mBsq+67BCxR7wX1TlGMcEX6hIQbGhfjAGF3ok2jsN7Wa1W"
        "Yt3LC7oyyCaw6lfgcs7GhnV9l0BB6XnuDYiH5LLRNXPruGcymUWIG2EhCV7oje2Vx/Hs4hPNwxiMsLcpRLWgKC+b4Y"
        "a9e021PDsZup9c1/uivGM6jyVUSP11lDo7s6Y4axq5OcZFt0HuYEP02qzblor6fURM+t6FqlGue5TNzFalcqMooNGT"
        "vd91UaXE8t2s/ILol9dnt0PxMbrsGvQ8CTcP95vNeRtoKsKqtzwGqnpzYyh1GrfdceqX0hOy3kb9vnssexnZZme+vL"
        "MxiXqhPuRjGBc0X7lXqsfeFTS324PYd2/5ABeVoUjsVxlaQ8VMM8jSewXIMkcK8TiSd5i4sW2spIIj20aOXCWU/9oQ"
        "D0WGq71JTmHDAhkIiW9/BDuxy7EGbvADC3YaxluBGMS2UTWcuGuTx/AmPvGukSchC13oRrCsdzRVBfKjQMRNS6IWz5"
        "d8KxF519htDgf4RVTkR7d+hEtFdmF6L7iRI76DrO+jIdl0NGQbOST2J4LeATYcszci66n3YhhleuWS5PKPPcEM5Wiv"
        "bKyA4xhp5DKUkfyhh3/PALQarbUUa6FP3P/b9ds27DLWmhfUoDG+6sfkf06Ef9tf+nZy5b8OtIy9knrXgR7Z9gOrZ4"
        "so8HmNzHD5uM6TfJEZFnLg5scA4olGqrpZ5VdJ0JfW/qOCvX0SFP+UUbKVbRj2y5hGtLevKCRMN2tIl6S4C7t2+j2Z"
        "dnRDsHDGNXIZipuYfsOAF/LLWVI5XP4nOOfk8FI4MZPpM/xy1vUs8gNHsqfhXtpzZiMdYTEJFVjh238CfUUEs9mY77"
        "N3zR1PBx3apvP3YI15xqu8qVrfAZ1f9K/AxaR1WABlPCjScE8eaE+7kGOKkjxpRo9gzOZbM2kozGsYfWAuiu15lB/f"
        "CGXDNGzCMy+8TOU4axq+TYlPcOceMl4cZUor2uU/z5nujBGqxd2RC+apNj03HdExtuyVF3Btes26ci9tmd52tvloQI"
        "plbl8P1OirN5EIVVzXYKOPNrD25Pgcf+Io/0gWcq7odVAhXLfIiedvN6R+grrfaqu3jNim97wHtTaWF8S0xwYMIFxE"
        "evJ08pwM6extXV/QohLqh757f6OAxjVyH4Hg/FlFxgPp9Es5aUaZkdPs94I7pXq5F7zEWz+zqBWad45gzm6lp7Rs8R"
        "wzvfzCUEv3CEzZVN3E3tHLLjACxcynFU4O+59lYot+d63L2f7+Q/MpIlYG3vkJXMoU8t+1SAM/xut+uSF0st59Rsa6"
        "RsQxYWlo+I1S9vaDmnZlsjZRuyXKI/v1hoOadmWyNlG7KwL7MvfxQb0u/Ysqujrwf6vIjulYV2n68Geqrea7N7F8bW"
        "vPv8Ai0/e/r8gJbCQPOjgQ3/HHGkLB8Fq9X3R2ipO2eL3vK1Z7Zgn0cDPfc9fT6qLzctfxiM/cXAhi/Gek5jNcdl5j"
        "YszLHZlz8ux36RPNukj52Y8nBBcfnxlWP/aaD53kDPX8yxGas75sY3w3n43ZIvP18gx34tE2aOzXGZOTYLz0Pm2GPE"
        "lAeDmNtu+eeC4vLPV9rwqUfz00AO8izthv2ZYzNWv2d+yBx79/8PI0xgjs0cm4U5NvvytXHsJ47LJzX/c2Zu83AmG7"
        "IwxzbR83RBvvwouI7NcZk5NgtzbPbl83Hs18aU7+L6al+Plm14Ss/fzLFZBmbL9zPMw2bO311YvtzksD+N84tuzc2e"
        "uuc358scl5nbsDDHZl/+qBz72SCeNvsTtgZx+dTzVs2zgZsL49jN2w5NnpMyedZsc0JP82b1b8yxGat75tjfJ+bPkw"
        "HHXg7w591n81cS/Avz5R8GHPu7gQ0/D9jwGXw5Yo7NHJuFOTb78kVy7NfuJR7ih3+e0PPtTPzw3HG5eX/4s8HYb0/Y"
        "8GEg5u4+mzdgj/0+B5aPx7Gb2unDifnz1cCXmzf8n3qvSPN+Ie/CfLn5Ow5PJ8a+NbAh/sXGvj14y9M2/D8FsR/A"
    ),
)

TABLES[3] = (
    "conv_lstm_photo2 v1: 400 training-split photo thumbnails, strength 64",
    (17, 18),
    "19f43fdaa5305879b7acc4cad1af0596c65dbbedeeff916a6a66b1ab6108b22e",
    (
        "eNrtXYly2zYQxQd0ejiqJEq8Lx2W7RxNm7pp4v//qo4AHQ98pEjHgGtJuzPxMBtwiWOPtwvAUUroiuh34vxCnBlxbg"
        "ZI5rfmxBkTJ/Y2Un+SU+KsiZMRZzFA8i1xSuI8EKcStRYSujiakGe4Iaufk68YASfvkDwibzYjTzUhTvZMb/Zjvnrj"
        "VHJOXho96j2Ny8zzEjgfOyTfw/MfHd/CuPBJ/6xPRg2hS8degcX5lTgBIZdRwxa7JMc9crZtpoTPIi8jDVrRnyvJMa"
        "ExGwFtx5QQpxyA6uy3QpqfjNBf1or1hC6dYsp4tnb6jtpEZHHTHslzsvd4p4u2FYypjZ+Mp/Sm4QlJThsR0sRUu830"
        "BK7BXLSkb+U0z2v6VgX/urf0Qs/tePe0X+uxllnCLOV63RL44k8963uj8+8QJFd6rVFPUh0nUAcyp2sdwigqpxEhg9"
        "kw61jCuJY6JhWAJSs9OzXMzz3ZlKEVvLXWa5HDHNZ6RGsY1we9ZkvQpVvSNKFLJdSNQmtFCdY01dwMtCXXGhaCHs47"
        "8MMc8Fup/xQNW8533uPopUvLF8UDkMlwwm9ttf3OmeQasqJKW90aRrp9ftB/q6DNRudyD2CD9x2SV7vnbX/f67lBj1"
        "RrDnrju906Iue4IhwrZz1xORqAV0OK3SnFpnkrYiy8aHXoLeJnNIqCoifj3tWAuFxTm4rkMKcQjH2VNCfLHavmDgZb"
        "7ki17XLYNCHbmZGcgHB4SBmiS4vzY8szsuWYctiYxp4MsLiU3spac/O8M8tGH2KeQ+jbQj9nIKHWviCBKJOotv0rw5"
        "+BFo10v3LrWwF4ZoNLMddw63Mi6PPKacTHOSz1jOUw9oXW4YoQ/greSjti3z289V5H/7QxY7mFdpbaPivC4ULXQCHg"
        "LoOLIuAYm8XsMtV/QsDPISE3RnSl1irUeVP3yECHjWTEZvkAZDKcUhhF7dyWE/A/qZZdwChKCxsb74r+ZAVYuompEn"
        "heWoi6POTmEbRZWdXO5ndD8m8p5VwpjS4ckL8kPdivVs3dp9obxvZX+2LJCxpXRXq7GjDSO6psLOlb96QnS+V6T0/o"
        "HCgilDtT9v5wW6Y5HZAvR6q5txW3ZtABIbfQy0gzb+idM4V8QM1hyO5bQfbO85PT6uBIm9Ez1P2KrViGsdLIzxrRM+"
        "jIoVLwHiaa5+C7Sivil4fKW+klekbg9zbKZXUXq2omkkaNrKS0aiYGhy8B8y875jADP7zUMvPGHEZ6RWqIEYEVE9dS"
        "G7kawkzN5Ow5eFRj16gbkX5OoQ17qqPGzkByYCFqg+6wQmJ2rJoY0h1+yMFrVU41HG0512MrwTZNtSRv1CgSbZvotd"
        "r6s1bHCrnZQSgbeD63kLOpDFfKrmwvrFU4XeniiJYMiHFcuS0oglSE3kunOVSzz6k3ySGNougZaTWgP0tlnxFT1lob"
        "eiCMLfWQ66S4FeUGhLEjwld9dew5aV3cig9npId+bDn3Jpnnh+tFCfkx5rTXRsqeSsWC/AbGWVyF9IDZIvL8kVUbwV"
        "Mf8455wzMqme4rYvXVofZlV7qadWx3tRGsY1dOvVmgmvsCFeUXzSp6anndqmMOcQch09ofNlYntWpKZl8b11f89nVi"
        "7EjbF+76Jbo2glmt2fOKwcqiDvyAe+ipfgu/ZSwX9dlglUw167QufXXRYzs/Hu9Sy5YxO04PWUkKPamsncGu2khFGD"
        "sFD2/O1eAuZK3fwUwcq6zb6GqfouQz0lOK1GPVdtdN9cSmaWs1LOyps7mimfJ1Hpslc6RubxMP0KKyZ1ZTsjV/e/RC"
        "bx1j855URNpi+893A2wZUUeX1tX0LbcetYln/Nz4TMkqV6r/dFY6AGFu5+eW5BT0rQVxli0ew9S0cb9yrJrnKk20xf"
        "MkSYcPzNWxvmrk5NCT9BDfI5BTW/13W6EKoT9uTw8WjflJrHOtCz0SPAd7zFxKCz+3S15Am9KqkJt8BzOglf56AdL8"
        "2YvQWyPMyk28RvuK1f7Er50PxqAtsw67wDx6oZ+TBupOrZs74eFbmReMjaeUI+WyQo61TVN/wDq28cllow5QWfXPUr"
        "XfQEUPYDLfFObQeNQlrEVC38L2N4Sxf1Pm3qONqO1K143qvyc1IkTN6H2smnvZE9W+E+emgjHzInlC4wpU273RgFB3"
        "PKDPRc8o5hQ3p8rXHr3QW6aMYvSScrScNCoakJHFhCv4xgHeQDl6+NLbSP1gbO7zWvWfxapo7Ex832dBo9ie493Q1+"
        "8sT35ckbl1OqhW+xpsbsUdbDPu8K4z6Ik585k38GFs1YjMXcukgYTd3UxsYgm3p0OXVk2vgHgXqH19fg1tMv3zA8xq"
        "0JNDBYeK2cLCLViTN3pVw4rLXfXrwtg5eODc2mefHDQTK9uZtTPY5bcxOzZt8GywkRMB9hgddD6Gt9zeeVy09O3lhN"
        "KSA8bOAAXl2uIqy5bxJExXVrvc+eK95ZZWFcJk3Jhrmzy9Bk4J3+UbTz/vcPYpjD1R/TVhRpVTkvOOMPbYG8aee0Oe"
        "QSvKHVEUm/fUBttjTUoVnr69/kT5qtgLvWXic0S8+1wSZ0j1rB0/23iAz81WytfvSVgpXzcO1jRSvu9wS1/fqPa7M0"
        "gPVDPhtx7At3Mb9AbmRB+ezxlp74A4PNGeKIC3flZtv0fTeLAMaiwTwtiBJdnsj+C9yHhA1WU44fmWmdPaCNaNzRnX"
        "mTr+bryZnis895Lqdnii46YDCTfnJ7TiuznVU4KvNlkq2mMhfvtqqACrjLV+4GkNUyXDOobB5HhabNKhhwtln0nOdz"
        "cfj3JS3SYBv1FpTgx984OxE6d+u27YV2VZ7uyQw66g/cLafes6mbyCfLk6zM8K3qp3NQ1E1GvoTz0gIghdFj054rym"
        "ZFcjlTkUEhI6R1/99ALOa0p2NVKZQ6FLtOcnB5zXlOxqpDKHQmLLYsvnMof8vP35uOOYndP2Np+BM+/o217O9v/MWH"
        "fI+bTjfFPbqldX39yugm/JT+q4v7B9Xna0uQVONkDy+w45yFl7HKnQufhq1o3bVm2xOZsObenXOpvzV0ebc7Xl53N8"
        "S5a4LNhGSDC22PK5YmzkfB7QphgQUzYD5GwuKC6/B85tR5svFn7ul/zvADkfBWOLr34BivvqSPK/grEFY0tcFowtJH"
        "ooGPukV//+gzFlMTCCfHu25Lcfl79qjPG86Ll6QVz++kpzKHT5GPvpVSW/fVv+Ihhb4rJgbCHB2GLLnjB2G+dvictv"
        "Bts8vuIcCp0Xxv7+P+HDv8WWBWNLXBaMLSR6KBj7pFf/MsDz/6P695e3Z6776uHfLywu//Pm4rLQtWHs/wsffhWMLR"
        "hb4rJgbCHRQ8HYrV79447z7YTn3/8G5scBMeVRXV/tq3jG2Le/J/tPwdhCHvHhHye05S9H+HDvN5aCsQVjS1wWjC0k"
        "eigYu9Wr788Sb054/s+OYspjD54/d4z9YUCecvfCOXx4pTkUOl+M/eGF+PDxGWjwUjH25xNj/+TIH/bc4/gPsispDA"
        "=="
    ),
)

TABLES[4] = (
    "conv_lstm_photo3 v1: 400 training-split photo thumbnails, strength 64",
    (19, 20),
    "ae0c8f014f6d2b7a4783e39cf71b313b83119fa815d579578cf49db8e1d829c0",
    (
        "eNrtXGlz2zYQxffONHHi6OB9S5Z81DnaJmnS/P9f1QqwpAc8wmRi0GNbuzPWaGBwSSyxb98uACklckLyjlpeUUtMLW"
        "9GaOarkhF3zycbaTaZ5pJaNtRSUUs3QjPraanlhloamdYiIi9OZoQMZ4QMiLq1/jwfgQznhMARtKz155zulf0kmo2X"
        "FL5fTYbVF/Tk19RnCz2NfPBoxuf8RJi/ITz/CLY1cilT/OT8eWG1vKWWBTGpdw4S+DRHxMYS0jMnfjYNS1r2sr8QEj"
        "loYUbQ0bjsPkUvI2MMKgf0pAeURfQsZGqfnGTkp6/u/NmePxHN3uWA5oT8ne+1INyYzpfLyWZ4Th63u8+Kxl4QthQj"
        "3k4z4KeJE43NszTg6TmwqMq67w5LX2skqKBPrd9SBNp+8+DMWxjLmb6iAqZVaT0zsMm5fpYYcssq2FtIQdsq6Cyq4P"
        "0WGqVXgKhbbYfGsWGl++ztc0s+dWRODTCtpfUuOm3HNbyLWx371tBnQzNN5CVjdQk5Uqs/E/jvymIIlW5JAWPPPR6X"
        "AaeqNJ6UwBCMn1aA+amet/g8VW+N51elAYxqg2YYLfhLq713AzbZ5Ut/6Ds3gCTb/9uOedKt7sOyPmRdRs+t1trAiM"
        "zbKcC7ryysbg+ZnLFwQkw4piiTEwbGI3ByQfEio7icUZ9qklk9HfOsyYY1oWVDd79Qw5XIhrh6Q/ZZU0urpMZ5ihIR"
        "f144tas+716ovnUGzk9j8u6E+OGc0H6a9YpyMs1snxndK+/NqfMR+JMT38uoT0Wak55sutN/CUTGVj85Mvm1vj6Gu1"
        "Se2kgN6FRrjl3DvRr9ZInDGGcWr+6CYk4JUX5FNYSHai5hXKUeQQIWO7NQ1+Qpa+hTq74VLcOQ93XQa23zznk7uf5/"
        "CpqXuk8Fd18LjJ2EYL6c6r8M0NtwlQLmj/H9FHzZh4HIzRI980rnqtrKNFf6e+3knuHQtXIqA+FQogHNxhpuS2lhVH"
        "3wZcSW1sOxM0C2re6FvlxobTnoWVmjw+9cEUrJwjVZpqJoztIRFtUUQS6Ii64n49jNZJpbsiGjJfPe7YjYcUP2WdEo"
        "MC87or1g9elJrNyKdKT6ast2y1wNr0llxKiz3gx68UhMOFdTVchTsiFbNSdrpMS6WYpeZp4SQjIPL6E/suVY2xurT4"
        "m18tUeYncNz1l4cqjC4uq5E5tyq0pTaiRqlV1tLoK+hRXEiDKo5oVV90AbHkcaW3F5AzasPSN1q1iVNUtN9ImdytvK"
        "ikprNeUeOpGnJDmgylLPkxrQIKcWw8pcHp542MgCsD22cnmD5JhXZod7JcDcwjGlAu5eB/Vl9NNK36kDq5oxtmDDQv"
        "sh+q9vPXQN7RutAUfRas2dkzsUFsNv4XtE0SoagfyZGt53UROH5BG1dPcuaNXifoYfMlNLaRQtjbQmtjy0u21LfXhN"
        "9kod1zXuz85EXrZkvfwwHuCHuyuG6thxLz+MB1qayTjDdBXylKoH3MLrcemI2NGQV9a9SFuSL2MtK7FiNFa6TOWkcv"
        "qYdeG6J965z49RuLSwujiw9wKec2UhfBsUt3NHc7hdwGgB82Yx0zGr5IVy98m48bT2RIHCqkqlztvJrbWMC92v9MRl"
        "kZdfD5lbuXbs+GBs4UxyYHqR1cLSQXty0Jxa9yqUvQMtsWrXbVCmhLtQwu5SwL1q2SGrzS1PR/Qz3ClxrJp5UKKxrk"
        "I/LbXVcDedweHO4fz7+74bUdfiSD229lWRHo5fOdXZpsGZJGgOdT8DqeheMY2rGVGLY7bMFuOsc7r9NiJPWXiv9VL1"
        "7d6389xzNbwmFdNVBbVUvTn1NPOwmMyXmYXW5IMdjT0aybHX1FJTvnxJWfa2h2MbHChAQ3Jg3Zn1jnAVcu551zXwWM"
        "PzkeWayg/OAZPjYEUoLMfGGFcE1Yx7acwzF+p4Rm2jWzN446Z+gnWtyhOhcHdoqe1ZkB60mKkmYVbVKsHtUxHcbxYf"
        "/GthsYXcyZcz60yZbz0lcnK9wsoiS61hCXN4puci1rrLoOiKGWsW1JcjYss4rviQp9RWFhw79mkHajiJzocL516ltX"
        "Zp8ArzlBwQ9ZyqWLszzPbvSSwImd8od+8ly5yiFZ+C5LOTyYiI/+vomkzmL0Pnv7jK58tDXc28PzOjObwY4D8ipyCF"
        "6jsX0BDvLX56HrJm3h91QRyyUlOtSTWTaeZ1tI1y92Jx5nsx4nnWyv39mI4sttv3dU2ar3pqHbnGyTnwusWhZlVafT"
        "CrWnhwO3WqLksLQ0yMxr0Qidrv6my9dYaHYnXnrU48RPDskhkXVv7NnpkSrGp2xmI9JPKMtIb86FLt198xT6m0tVqY"
        "w52VeRWTzWqRp8ixMytfxsg+17PB3eNREROOPTM8At9JrHPc5SGvzIHL2buLs6C5Hu6GqlTINSl35cggEuYptbWP2r"
        "CpzrFG3ynjjWPnC8s+tdqfJG0tq7pnWNaAqPYp6dd3fzY3tk9OvVXDdew5sfdFr54zumo2yayOJ9PMZ83e0thx/9XR"
        "s8Zwm6HzVjPVt2qfCIydJG7zzpBioE86gsMwx25oHuaqby/ENLle2B2Dwxx7TX26n+b8l8TV+TTKtXLPue/ufAPYOL"
        "fQdQb1kFe6Fdegza+FvAE8/40Q+BgF3gGenFl1FYPbuAppEC9R9umqZbC3gNkEnyl4iOBzmr3ZOcSg39V+LzrujE2s"
        "+uFr5T83iqfGDMfGlf2ZVWkxNShc6ykFt09GcDXE7HBYwKyLDoy6tPoU4N0zj1/gVcecEXdQlBpVluDdpgXXU8KdTG"
        "wdJhyOY28BP83O2w5aYj2KFVQ2LvQfrrj5Rnqp7DWpjXXy2tRG8JS3+VUTfJ6tkt9oPDX5EajlMTWHGqnYUERE5Dli"
        "9Y8HtDym5lAjFRuKvER//hGg5TE1hxqp2FBEfFl8+bnYkL/vPr/dtZiTOP193kNL5Hm2v+6+f1W7uk2/no/QEnufLe"
        "xbmFrz7nMLLWtPnxpauhGarzx6vgzcS+TUsPo4N/YtH6mF+1Se2XL/VdzyydPnufryz7dMrVnisnAbEeHY4svPlWNj"
        "y82IPlvPsw1xvzEc8rnG5Y+Wffr73EDL7QjNf3v03ELLRji2YPWT5ofCsYVjS1wWji0iviwc+yEx5drp8+WE4vKXXx"
        "jp9xGaP4/SIxxbsFo4dijN34RjS1wWji0iHFt8+Ylx7FOOy6FG+v2J2VBEOLb48nQ2fC8cW+KyiHBs8WXh2BKXnxS3"
        "+Vc4toj48gnZUOKycBsR4djiy8+dY//7iDHl2wuLy/vfS7y9Z+xf71q+w/enzG1Eni/Hfv8Ivrw/g9C9MF/+cNfyj3"
        "BsicvCsUVkHoovB+LYHx4xply/sLi8P8+4vmfsf961XCr3N8yPPf8aYcP9r/V+Fo4tWO2ZLVcP9OXvI+bh3wNz/rn6"
        "8r7l60gbfn4AHg6sSf0HiCAmbw=="
    ),
)

TABLES[5] = (
    "conv_lstm_photo16 v1: 400 training-split photo thumbnails, strength 64",
    (21, 22),
    "937dc1aef640954a585220e5b99fdf7a5f2405bdff57d9c2baf93bc2278cf644",
    (
        "eNrtXGt32zYSxfdNm4cdyxLF90OkZMvZJNt24zrr//+r9giw5AtcImRsMLWsmXOqKmNwQICYO3cGoJQSOSH5SJq3pI"
        "lI82GE5eUIzQVp0slGmkxmOSfNhjQFaVYjLK9JU5PmZkQbERGRYxdEy1Z/vgNNRVhd6s+zH6KQkXPCyQVoGv15SQiT"
        "UJtQEsP366CWM5rDFjRbwvMNtfnisbyF73/QbBs7HWi+kuZalvjJca+ZpXlPmgXxr/Ne3qToqktLMyf+xb3HvRwthM"
        "x7WWQIWdA9JwfkQ94ZD7Tp54slzU9MbLUkfClkaZ+cJE7MNDnSGeVRS9LMRsTCC+orImbAvjxNxlM4UTRs1Lctl5TN"
        "ZJRvRSM8Lj3wI8zZMkKJtbf3Bfh+ri3OwcKF5mI53Ful/7qA57Jr+8Yz6v06udT4HgGq1Ie+zqH3D9paBE8kD7qSM8"
        "hRw62iEqwVemwVZPytjkkljX31EBf3+fDbHstX8Hw3Ot6UMIpK21yDH/1bz3ULba6Cc1iRl4zVuRXl1+BNc73yMlgb"
        "qfaEBNbP3ONxMfCuUq9p5AOmrwzaXGo7KbTJCKmeI+hfzcMqD2d5ZY30yvG4rR5TAb681m024IM3PZY7yIR2//9EmN"
        "Ba3r3SdkrnfrbwROy4PCMNx8ro4RkPxZQZxaaI7GQUPYvJVvU0ET8j3ssstyGPaNVwJbKm1V732qlo7ZUCYycnc/LK"
        "j07tyqzTiPx9NsJ3ogE7S+qd/SKUpGqqnZCoN19OqffFwFX9KLEkjh2TnZrwMIYZLgHDS/2XHKxFWlMA5lTaZgya3z"
        "zzGYPlt1YeUR7iO7L3SH9i7+H4IdYWVkHRrABrlf53C0+z1bkD5jUGXa/h2dWe+7lSj9XKz7pd7sT3zML8TvtnA+jd"
        "qXG7XiLHL4hgS+1Nrg/meu1UgB6phbozD7ouwHKq7SCClbq/Ata8We2NgzPhKhiY1eZB2XsBXmnmcwOIVJAPxrr3Dd"
        "QxWo8vt+CJK/2fmy9nFi5VGv0qGF3tYGPqrSEgFrnxYjGCHyYUU2x+uCZkbibjh03QSsuPq2rdCN67HjHSm16ubl+1"
        "pdrXWtm7XiKnIUtiy4ly95Ii0izV8J5UQvyZ7TAmJJNx7ERNtdvVP9KhvbbLkTWHlOzMCSELL/tN4K+l1iMnr7TXYx"
        "Qr9fW5w8xrDzYWVuTCWker7wxZd6ct1060CoeuGcS466BxuSHeu3DmMLdipYkaDSDqjkufeSzv7Wz095VjOdMz1Fox"
        "YgX30wUdqchLlgzYsqlFVOrxRKdhuZXDlmMru489mJMDnscH9j637OTAzQxKl3A/jELP9bjUy4JCcWwz0hJGmhyYcA"
        "bznGkvw6p+4uHYOaBEZ9kxfHsNbRqNVy1Yq5z8aEmoHhE/zL3VFZ90qm/XNSMebrPB1WS5fDMZgjW0JjfUF/d+rYbr"
        "2NfKPsnVV0W5EY4tckDmOdU0PlCbiPjhEMeeK/dEP3NR3rfK1VSns6Y7UcaRa96bO0SEh5cjoirvdi0JIS/I32Ng+1"
        "ilSfTVS6uCkTnIn1lVrNoTl/HMiYmwGVxlzrSkgFcFcdE8KMfGvjoV8s2D0slTUv3cljBjrVXHMBy4g1pQ9oM8ZW1F"
        "sQyuMnWqGjRrta8f5t44IvJaJXX8emGtQ4PkyLENVmD9M/bkeiuwc6G/IzM32BUBGzSWkXUzT3uO1MquooezjBzbZA"
        "qtsk/TZVZ9uDjkKbGFkCwVtEkPlQrEw/QBPR57z63adQ2WudZUUr2FZyYegagZsUo+s8fIXE/GhAs11VtiXMde0ShK"
        "GmmjhndXW+LYJeFwp9x37xol78OdovBZEa5jcwZ9robPilz0MuqIfHkxwCFDRqhsEstJb80hHWDLczVcx84IAfgUSk"
        "OaGvx96XC2zOJ7K40FWKk2WOFWtmceBKugl0q3bOCq0nrrZH2IaA3ceTiOXYDlNmhEcM9Vmjo2cuPaOvdSHeYQNUtP"
        "XG6tHCGFepGp4K2gL3O2pAH0ni72ibw0iRx+mFgYYt68SBymF1s7lUvVf5YgAgyZ6RWFrNJ4MWLRXPeeOG3CnapF/I"
        "xVyDo2zsDjjGGeklrvr5kMBa9aephSCXbMmymRk6fE+l9zaFNY79wtAbf5TSXeceb37MbsjfIpbn7vj9tkk0XPXE35"
        "nlRCeMuna9Kf5vy4G+tjFy1ZroRjn6TwGWlmg8zrzkb48rLXcjKQaXI+GHKk05z7Sskyvlnz6JU1zerQ/RTK3V1iP2"
        "0pX8aTgXhv2aGWcgX8MLfmPNPfsfZVq/79RzwnbM5vIzM350ZK0Jj2WEWpVcgT8hlw2rBnOHOoWhi+3Tl8PnvY+cVV"
        "ncGzy1Tf7wmZv7ewHjqaw9x658u0LxweLu88noYgol5qj5sDoppfmUA8NxXpCDQLD5+ZOTwztvpaHOzsvfWdXpkLp/"
        "dwtRHMJtKgvhyBNVOfT9Xj+0cmc4mVfe69sHj+3BOhEM+LA4qmVg6Cs2Q8HWd17nBs+y3p3d7y7zSWc3qOQ7/rlvRW"
        "1S7I8kfCwPkkq7qezDJX8PiMa9fLhIeyxRuKy2uywychPyt5d+YUZedJ/6J1eEY+OKOr3oyICFzHtivkvNM9ZoU/TU"
        "o1/D7I04TvmeuoHVVj6hH5+6bXl2vy9xvSXAFWvwHkfK+f5G/wjM71U3oPz+hct3lrXcWCvxmSamxfkJ0YsLrUTx9R"
        "rlDDuyE/x0DeQV/nwSwvwCMyPYoE7Ne6Ba7tRs8OviNWe9ZeA3rzjmQMc9Jom5jzbvXMZnSVyClIDiu80ZiTAacyGW"
        "sN68ecIi5g9ZaefLl21qptx2TiK7jWnIbCs8Rhf9+mg9ixVSFPsWLFwGAynpre6hbIl65172s1/Es+W0Dmm8NVOfx1"
        "pa/dt/mk0RzfHPniycRFXq/cB9L8SsuhRipzKCIicoxYff8Mza+0HGqkMocir9Gf7wNofqXlUCOVORQRXxZfPpY55O"
        "+7z9sHjTmh3d/mC2gSz739+fD9P2pXl+m38xU0sffewj6FqS3vPj+DpvO02e/R3Kr+/e5dm+/w/WpEX+sJRypyLFj9"
        "uDb2mq+k4TZbz2rBNn+PsPPJ0+ZYfXmvuRsx9vsRc3g/2s6PsVrisnAbEeHY4svHx7FRsxnRxsex/4DvtcfOHWi+vK"
        "K4jLnDjafNFjR/PSMufxeOLTJitfzvRfDD4+XYzxmpcGyJy8KxRYRjC8d2NXc9be5GxJQ/nTb/fWJfxxiXtyO4jTuH"
        "3RFwG5Hj5tj3wrGFY0tcFo4tIhxbfPlFc+ztiJjyWXPLxzbfeux8e6Vx+dMr5TYix82xpY79azj2nXBsicvCsUVkHY"
        "ovB0L+q0Ax5bXUsW+FY4u8QI799xNXy1PW8zepY/+05e/CsSUuiwjHFl8Wjq2k9hV6pLfCsUWOmB+i5lbJWZFpLUtc"
        "Fm4jIhxbfFk4tnDs1zSHIsKxxZf/0Tn8PxRqKV8="
    ),
)

TABLES[6] = (
    "conv_lstm_photo4 v1: 400 training-split photo thumbnails, strength 64",
    (23, 24, 25),
    "e17a0c652d2ba06a5db7492649e91c04652b176c1a670d220ef5951fa20da7f4",
    (
        "eNrtXWl32zgSxOeZnUlsR5ZE8T50S/GRSTKZTOL//6t2BchWgUWEjAN6Lan7PfvJHbBJHF1d3QAVpUTOSN6Q5k/SBKR5"
        "28FySJoJaa5Jk/XW06g3yzFpFh36VXWwvCZNSZotaVayrEVETk4uCD0uCBkQdaeE1bnD8hg+p4T5M7I8g5Z4rz6wetMb"
        "VpsxTAhLEZmX1Ltbh2V8zg+E+QvC8w+kuZMlflay88x3xL3eEfcaW5qr//0MWixfE/8a7n9sOxHxs0kvPR01siQfEtQ8"
        "2GhKQhP77gldxZJTm6iGeQYHbeQr9j8i5yUT8q8R5TcR5VKTfbsfyYDaJOS5A/JcXqu+JOvNl1OynFPmVJLHRR1yqZiy"
        "ooz8tKK8rXiK/2aEE7g2tXD4nc6kM0CeQt81gB7tnvOy4dkSWCcD3SYEpjbVFuI9Xj+2f6vtp85R+tVZeOzF3KvlHNZt"
        "okc8B4+Y6vg3g3kxc11CLFs7nucG2txqX8AxmWlba4ikt/pftzCn231vRU5fUlgtqV4JBfhgqldCDj6Ya80E1uq1AwNj"
        "WGOhvioBO7Fe21NYmYnWpIBgFWCOH49LwQvW3ixXgMMrjZwZ4Ke5Vwb9mukMCTF2tffbuqygzVbnSRUg0lJbnj3loCbv"
        "eq/1G2hzB2xwSLkux+WkhXU3M8+ohWdOyLJfrK5HtP4iPvdiRpqSVkgbE17Qai/pqiXF5VI49lnKmLxyTPlyRJnvuAPH"
        "HhImTMi7R3T3tLd8OVJ97VfEjblwRv4eUt/zDrEmI01M+XJCY5hAVM2ADRYWfmaaH2e1NplVARiqph0tc5cxPNWFviK1"
        "kAoz90rbKmtxOfE2CxjxN4SlvyJlLVYWerQC0EQWVs/15ymMxsJRX5oDQ95qOzg+B65eWQxhCletBLfPqh4SAMJMNKKE"
        "FsJUsOpKjRUFYHXo4GAB2In0lYg8hfbwae3u+Z7nH1amPw6W1HpRebVcwIjl2nYIOGY0WCuY7X8f8DZ3cOw5+PXGYmtT"
        "/YO1zbX2+Q1UUZbA3MLGeDFxZiKHuWvj2DnFQa4RramPVW9MeOp1fn/cL+bGc8LPeQdEnTUy84zGcEWWpwJjZycjypcn"
        "xAci8u5RB1/m7DgmZh433it6IY/zJRy5QhrVuDG/aMsmuPaeqvqeQtaoQYYcWvx8CJ6eaE09oiX6uXJn3eMQEXK4aqQt"
        "xxaSBzXmGetnm8JVubdZiKFusPDKPGN4zrkeqxDmzsRf5Btz3R576orLuCth6h4xRBzD0ksYVZNPVRDxV6rpjJjIKQru"
        "JxqczGqaYr8PdfDu0sLqVDWd0zS6BOzkenWHFi+twLLxiAKuyr378gTYiz8OlhIeIsee6vti1aLSI7IGjQtbMBOfaX9G"
        "3jV7mp3Myh2QYSJKcF2LY0FGvM41v/Usg+2kzr4cnq2fOnbVG/MsqF9z6hf3dN4BUc0eRN1OQvGxojGUPcfzxO0R1TQG"
        "hMA2ixuq9jp2QBySuWhOlhPVdMbfFxPup0KeNGYTQUueEnTAw5LaNGPvxHlVVKtHRXoGKosJx8o+v1FYVdnCkZuE0Mac"
        "T4sgRpj4i8iT6vgU1mo7hdeVjLUmf3G5AGuGS+M5n4X+jFhtYmsJz8MIjPXAA7ZXFlc341PPSlJrD9pvNiHymiWDzN14"
        "fQyeblA6hfVgat14oiD5AT9MrNoIVkTNVUHtXpHWj1ssP9+XU/A4f1kkYl1G2YRBzkjZte5EXxFBDaqp5pDXspLU2s0s"
        "9ed5TWPnKcjBmmtffPYypbpNF46dtcSvUDWdssh7WdW56quOzVlJQffiPKXLqekVsWW2wzXz/rIJkdcsOzZ91cKf+TzJ"
        "pWp/t2Ksms5aM58ft3BIXzLujWNzL/g8W0J3H3Z4nkLVz3TxHiJXGHCPEmuwBnPiGvdL9+c2D7wu0T1aQ4ybtzBPw94R"
        "Q0wNAflhpnP/Cqwtlc/9x1Id9uYWXuNyAr2Y6vGcwb1MH/G8/UL3C+fOFUdWMM7mPGeu7L3jXP+1seYaT6guBbfPCquH"
        "gDCB9f7aWGuCGu+N9V+Pba4c/BAR3nDpSS1PN4x6BJZH1r7kRPk894W5Q+AVJfCcc/CEddfWvYIaow6td4tctRF8d8/Y"
        "CWsaU9/AvYDEymWQ2V5RXB6oprOX9pNcqPb95SHNFFefksZKTj917LC3iM9cIqW+N+8U//x57KLRckqRWrD6/GRMbLn5"
        "hDafcxh1sDyiNR+0rPmiV49LerHc/G5FQW1yep42Xy6JY7OdStXPfeFJsATYZvpU+8qsKIzV1OKpAoNntlcO5jmHNiXV"
        "wzOrnpzqz/2dFalnCv525dJapmCqTxsY/4X+d6xjl9a7VHye5zACN1YVC2v7JmfBd2dMzXxW6+lSYOwsBKsf5lzWJWhM"
        "BQP3HE01eFRrEzoQbACcJ7X2HIMnnomse2yxNb+1EXw7PvGKEilYNnuLA/Bcc6IPdwajJyaMbDlzjGEEbUqrPnwY1QQ4"
        "c2nV/xFRdzP7H8v+7p2Y3ynC2m+j796javtet6Ax4nOd7ZKi1aCXVZ2o5nfq/Vi+Jt5ySQjM2UTbTvqysa7FdmzNVsme"
        "47ni9h9UQ7gmXBqTn7b5ck5rLCc7fPZppvp6t2Km+jqPPVVN+0RT8sqqpe8sa1V/p57f5nuv6u+538JVO9T9DWbtjdb8"
        "bmHpANaAmdldmz+hzRtHVe2tddUA4sLBDrax7xWpbt/02U2uoV+xavqe0V+x/AfUjkwv3oDmSqP3hRU1AtCkjjgyUYf3"
        "iyv9eQhjEmkLGEkNF8J7Fb1FKJHXJgtgyxu9YtaAaRuNKXhy+FZrNnDV3MFX8aqttrwCxnijMWcD12710yBnuFNN30r7"
        "XLmFu98rn984uwWsvqNe3OsWW0Dvez06N4De946s9g4Y8r3G5S0gvOnFTa3NrdY8jttfqvkbS0ROVx48aV7Ssq+eyhiK"
        "iIgcI1Y//ILmJS376qmMocgp+vODB81LWvbVUxlDEfFl8eVjGUP+vPv9+H8TmdMIzW3+3mt2dfK85dl2Na7EYeexSmNq"
        "U65n8zsLfVvGMXz4Qd+XoHnvsHwDn2cOO+9B86nHnoocC1Yf1saj5itpuM3O37+3WP7Uwc5nR5tj9eWf1/RtWeKycBsR"
        "4djiy8fKsR8s7tfc5hNoxo5n+wif1w47H1vudaxx+QNobjv0feqw/A0+33eYiy/CsQWrn8nivr0IPxSOLRxb4rJwbBHx"
        "ZeHYLs33Z8SULw7L30Hz6UTi8tdnjOq/nuLyP8KxBatfNT88bo79UTi2xGXh2CKyDsWXPXHs7574YRN/3l339QzicpPm"
        "H+LGr5/biBw3x/77Bfnh5xPx5VsldWyJy8KxRYRjiy/3w7H/8sSx72R/+f8cl0XOnWN/kTr2ifiyxGXhNiLCscWXT4Fj"
        "y/7y8+Lyt5/s6UY4tsiR8MPPHex8EI4tHFvisnBsEVmHwrGFY59FXBYRji2+fORj+F981yhr"
    ),
)

def fit(codes, strength=64):
    """Initial ``(ones, totals)`` from codes ``(N, T, h, w, c)`` of +-1."""
    from residual_compression import entropy

    ones = np.zeros(entropy.NUM_CONTEXTS, np.int64)
    totals = np.zeros(entropy.NUM_CONTEXTS, np.int64)
    for bits in np.asarray(codes, np.int8):
        index = entropy._all_contexts(bits).reshape(-1)
        ones += np.bincount(index, weights=bits.reshape(-1) > 0, minlength=ones.size).astype(np.int64)
        totals += np.bincount(index, minlength=totals.size)
    scale = np.minimum(1.0, strength / np.maximum(totals, 1))
    return np.rint(ones * scale).astype(np.int64), np.rint(totals * scale).astype(np.int64)


def pack(ones, totals):
    """``(sha256, data)`` for a table entry of :data:`TABLES`."""
    raw = np.stack([ones, totals]).astype(">u2").tobytes()
    return hashlib.sha256(raw).hexdigest(), base64.b64encode(zlib.compress(raw, 9)).decode("ascii")


def load():
    """The :class:`~residual_compression.entropy.ContextModel` of every table, checked."""
    from residual_compression import entropy

    models = []
    for ident, (name, model_ids, sha256, data) in TABLES.items():
        raw = zlib.decompress(base64.b64decode("".join(data)))
        if hashlib.sha256(raw).hexdigest() != sha256:
            raise ResidualCompressionError(
                f"context table {ident} ({name}) fails its sha256 check; reinstall the package"
            )
        counts = np.frombuffer(raw, ">u2").reshape(2, -1).astype(np.int64)
        models.append(entropy.ContextModel(ident, counts[0], counts[1], name, model_ids))
    return models
