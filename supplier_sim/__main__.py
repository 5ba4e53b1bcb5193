"""python -m supplier_sim [--host 127.0.0.1] [--port 8100]"""

import argparse
import logging
import sys

from supplier_sim.server import SupplierServer
from supplier_sim.stayhub import DEMO_API_KEY, StayHubApi


def main() -> None:
    parser = argparse.ArgumentParser(description="The simulated hotel supplier.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100, help="0 picks a free port")
    parser.add_argument(
        "--stayhub-key", default=DEMO_API_KEY, help="the API key StayHub (/stayhub) expects"
    )
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO)
    server = SupplierServer((args.host, args.port), stayhub=StayHubApi(api_key=args.stayhub_key))
    # the line tests and scripts wait for: it carries the port actually bound
    sys.stdout.write(f"supplier_sim listening on http://{args.host}:{server.server_port}\n")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
