#!/bin/sh
# One part of tests/examples.sh, so that make -j runs the parts in parallel.
PART=library exec sh "$(dirname "$0")/examples.sh"
