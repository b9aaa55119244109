"""The committed generated code matches proto/, and imports as a package."""

from __future__ import annotations

import subprocess
import sys

from adapters.grpc.codegen import rewrite_imports


def test_codegen_check_passes(repo_root):
    result = subprocess.run(
        [sys.executable, "-m", "adapters.grpc.codegen", "--check"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_modules_import_as_package_modules():
    from adapters.grpc.pb.accident.insurer.v1 import insurer_gateway_pb2_grpc
    from adapters.grpc.pb.accident.mediation.v1 import mediation_gateway_pb2_grpc
    from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2_grpc

    for module in (
        insurer_gateway_pb2_grpc,
        mediation_gateway_pb2_grpc,
        settlement_service_pb2_grpc,
    ):
        assert module.__name__.startswith("adapters.grpc.pb.accident.")


def test_rewrite_imports_same_and_sibling_packages():
    source = (
        "from accident.insurer.v1 import insurer_gateway_pb2 as a\n"
        "from accident.type.v1 import money_pb2 as b\n"
        "import accident.type.v1.money_pb2 as c\n"
        "from google.protobuf import timestamp_pb2 as d\n"
    )
    assert rewrite_imports(source, ("accident", "insurer", "v1")) == (
        "from . import insurer_gateway_pb2 as a\n"
        "from ...type.v1 import money_pb2 as b\n"
        "from ...type.v1 import money_pb2 as c\n"
        "from google.protobuf import timestamp_pb2 as d\n"
    )
