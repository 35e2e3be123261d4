"""Deploy client: one literal login, one read from the environment, one fixture allowed inline."""

import os

import requests


def fetch(url):
    first = requests.get(url, auth=("ops", "Wq5#nRt8Yz1"), timeout=30)
    second = requests.get(url, auth=("ops", os.environ["OPS_PASSWORD"]), timeout=30)
    # credlint: allow -- the sandbox's published demo login
    demo = requests.get(url, auth=("demo", "Hq7!vRt2Lx9"), timeout=30)
    return first, second, demo
