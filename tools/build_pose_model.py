"""Build ``src/formcheck/models/pose_landmarker_full.task`` (package data) offline from the
wheel mediapipe==0.10.21.

Provenance
    Google's MediaPipe Pose models (BlazePose GHUM 3D: pose detector plus the "full"
    landmark model), Apache-2.0. Their weights ship inside the PyPI wheel
    ``mediapipe==0.10.21`` as ``mediapipe/modules/pose_detection/pose_detection.tflite``
    and ``mediapipe/modules/pose_landmark/pose_landmark_full.tflite``. Wheels from
    0.10.30 on (and 1.x) ship no model files; the official ``.task`` is not on PyPI.

Steps
    1. ``pip download`` the cp311 manylinux_2_28 x86_64 wheel (no install) unless
       ``--wheel`` is given; read the two ``.tflite`` members with ``zipfile`` and check
       their sha256.
    2. The detector already carries TFLite metadata and is used unchanged. The landmark
       model has none, and the Tasks API rejects it ("requires specifying
       NormalizationOptions metadata"). Build the metadata flatbuffer ("M001"): RGB
       image input with NormalizationOptions mean=0, std=255 plus the five output
       descriptions, as in the reference bundle; append it as a Buffer with a
       "TFLITE_METADATA" entry and repack the model ("TFL3"). mediapipe 1.x's
       MetadataPopulator does not import, so only the generated flatbuffer schemas of
       mediapipe 1.x and ``flatbuffers`` are used. The result is checked by sha256.
    3. Write the ``.task``: an uncompressed (ZIP_STORED) zip holding
       ``pose_detector.tflite`` and ``pose_landmarks_detector.tflite``, each member's
       data aligned to 64 bytes by a zipalign extra field; fixed timestamps and modes.

Reproduce (needs mediapipe 1.x, flatbuffers and numpy installed, and access to PyPI)
    python tools/build_pose_model.py [--wheel mediapipe-0.10.21-...whl] [--out PATH]
It prints the sha256 of the output; every run gives the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import flatbuffers
from mediapipe.tasks.metadata import metadata_schema_py_generated as md
from mediapipe.tasks.metadata import schema_py_generated as tfl

from formcheck.pose.models import BUNDLE_MEMBERS

WHEEL_REQUIREMENT = "mediapipe==0.10.21"
# 0.10.21 has only manylinux_2_28 Linux wheels ("--platform manylinux_2_17" finds none).
WHEEL_PLATFORM = "manylinux_2_28_x86_64"
DETECTOR, LANDMARKER = BUNDLE_MEMBERS  # the names the Tasks API looks for
# bundle member -> (wheel member, its sha256)
WHEEL_MEMBERS = {
    DETECTOR: (
        "mediapipe/modules/pose_detection/pose_detection.tflite",
        "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
    ),
    LANDMARKER: (
        "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
        "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    ),
}
# Landmark model with metadata attached: byte-identical to the landmark member of the
# reference pose_landmarker_full.task (bundle sha256 1d1ac65b...434c46).
LANDMARKER_SHA256 = "ee55d6dd3b284ba84e7c65263f648661715f1b373f5310f68f1ebf7ae4f8cf9e"
# Landmark model outputs in tensor order: (name, description), as in the reference.
OUTPUTS = (
    ("landmarks", "Pose landmarks"),
    ("presence", "Presence of pose."),
    ("segmentation_mask", "Segmentation mask for pose."),
    ("heat_map", "Heat map for pose."),
    ("world_landmarks", "World landmarks for pose."),
)
ALIGNMENT = 64
LOCAL_HEADER_SIZE = 30  # fixed part of a zip local file header
ZIPALIGN_ID = 0xD935  # Android zipalign extra: id, size, u16 alignment, zero padding
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
ZIP_UNIX = 3  # ZipInfo.create_system
ZIP_FILE_MODE = 0o644 << 16  # ZipInfo.external_attr


def download_wheel(dest: Path) -> Path:
    """Download the wheel (no dependencies, no install) into ``dest``."""
    cmd = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
        "--only-binary=:all:", "--python-version", "3.11", "--platform", WHEEL_PLATFORM,
        WHEEL_REQUIREMENT, "-d", str(dest),
    ]  # fmt: skip
    subprocess.run(cmd, check=True)
    (wheel,) = dest.glob("mediapipe-0.10.21-*.whl")
    return wheel


def read_wheel_models(wheel: Path) -> dict[str, bytes]:
    """The two model files of the wheel by bundle member name, sha256-checked."""
    models: dict[str, bytes] = {}
    with zipfile.ZipFile(wheel) as zf:
        for bundle_name, (wheel_name, sha256) in WHEEL_MEMBERS.items():
            data = zf.read(wheel_name)
            if hashlib.sha256(data).hexdigest() != sha256:
                raise SystemExit(f"sha256 mismatch for {wheel_name} in {wheel}")
            models[bundle_name] = data
    return models


def tensor_metadata(
    name: str, description: str, content: md.ContentT, stats: md.StatsT
) -> md.TensorMetadataT:
    tensor = md.TensorMetadataT()
    tensor.name, tensor.description = name, description
    tensor.content, tensor.stats = content, stats
    return tensor


def image_input_metadata() -> md.TensorMetadataT:
    """RGB image input, normalized to [0, 1] as (pixel - 0) / 255."""
    content = md.ContentT()
    content.contentPropertiesType = md.ContentProperties.ImageProperties
    content.contentProperties = md.ImagePropertiesT()
    content.contentProperties.colorSpace = md.ColorSpaceType.RGB
    normalization = md.ProcessUnitT()
    normalization.optionsType = md.ProcessUnitOptions.NormalizationOptions
    normalization.options = md.NormalizationOptionsT()
    normalization.options.mean, normalization.options.std = [0.0], [255.0]
    stats = md.StatsT()
    stats.max, stats.min = [1.0], [0.0]
    tensor = tensor_metadata("image", "Input image to be landmarked", content, stats)
    tensor.processUnits = [normalization]
    return tensor


def feature_output_metadata(name: str, description: str) -> md.TensorMetadataT:
    content = md.ContentT()
    content.contentPropertiesType = md.ContentProperties.FeatureProperties
    content.contentProperties = md.FeaturePropertiesT()
    return tensor_metadata(name, description, content, md.StatsT())


def landmark_metadata() -> bytes:
    """TFLite metadata flatbuffer ("M001") of the landmark model."""
    subgraph = md.SubGraphMetadataT()
    subgraph.inputTensorMetadata = [image_input_metadata()]
    subgraph.outputTensorMetadata = [feature_output_metadata(*o) for o in OUTPUTS]
    model = md.ModelMetadataT()
    model.name = "Pose Landmark"
    model.description = "Detects human pose landmarks with frontal camera."
    model.version, model.author, model.minParserVersion = "1", "MediaPipe", "1.0.0"
    model.subgraphMetadata = [subgraph]
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"M001")
    return bytes(builder.Output())


def attach_metadata(model_bytes: bytes, metadata: bytes) -> bytes:
    """The model with ``metadata`` appended as a buffer + "TFLITE_METADATA" entry."""
    model = tfl.ModelT.InitFromObj(tfl.Model.GetRootAs(model_bytes, 0))
    if any(m.name == b"TFLITE_METADATA" for m in model.metadata or []):
        raise SystemExit("landmark model already has TFLITE_METADATA")
    buffer = tfl.BufferT()
    buffer.data = list(metadata)
    entry = tfl.MetadataT()
    entry.name, entry.buffer = "TFLITE_METADATA", len(model.buffers)
    model.buffers.append(buffer)
    model.metadata = [*(model.metadata or []), entry]
    builder = flatbuffers.Builder(len(model_bytes) + len(metadata) + 4096)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    packed = bytes(builder.Output())
    # Like TFLite's MetadataPopulator, append the (here empty) zip of associated files:
    # a bare end-of-central-directory record pointing just past the flatbuffer.
    empty_zip = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0, 0, 0, len(packed), 0)
    return packed + empty_zip


def zipalign_extra(header_offset: int, name: str) -> bytes:
    """Extra field padding a local header so the member's data starts on ALIGNMENT."""
    unpadded = header_offset + LOCAL_HEADER_SIZE + len(name.encode()) + 6
    padding = -unpadded % ALIGNMENT
    header = struct.pack("<HHH", ZIPALIGN_ID, 2 + padding, ALIGNMENT)
    return header + bytes(padding)


def write_task(path: Path, members: dict[str, bytes]) -> None:
    """Write an uncompressed, 64-byte-aligned, byte-reproducible zip of ``members``."""
    offset = 0  # where the next local header starts
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.create_system, info.external_attr = ZIP_UNIX, ZIP_FILE_MODE
            info.extra = zipalign_extra(offset, name)
            zf.writestr(info, data)
            offset += LOCAL_HEADER_SIZE + len(name.encode()) + len(info.extra)
            offset += len(data)


def check_task(path: Path) -> None:
    """Check the written bundle: members stored, data aligned, CRCs good."""
    with zipfile.ZipFile(path) as zf, path.open("rb") as raw:
        for info in zf.infolist():
            raw.seek(info.header_offset + 26)  # name and extra lengths
            name_len, extra_len = struct.unpack("<HH", raw.read(4))
            start = info.header_offset + LOCAL_HEADER_SIZE + name_len + extra_len
            if info.compress_type != zipfile.ZIP_STORED or start % ALIGNMENT:
                raise SystemExit(f"{info.filename}: not stored or not aligned")
        if zf.testzip() is not None:
            raise SystemExit(f"{path}: CRC check failed")


def build(wheel: Path, out: Path) -> str:
    """Build the bundle at ``out`` from ``wheel``; return its sha256."""
    models = read_wheel_models(wheel)
    landmarker = attach_metadata(models[LANDMARKER], landmark_metadata())
    if hashlib.sha256(landmarker).hexdigest() != LANDMARKER_SHA256:
        raise SystemExit("landmark model with metadata differs from the known build")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    write_task(tmp, {DETECTOR: models[DETECTOR], LANDMARKER: landmarker})
    check_task(tmp)
    tmp.replace(out)
    return hashlib.sha256(out.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Build pose_landmarker_full.task from the mediapipe 0.10.21 wheel."
    )
    parser.add_argument("--wheel", type=Path, help="local wheel (default: download)")
    parser.add_argument(
        "--out", type=Path, default=Path("src/formcheck/models/pose_landmarker_full.task")
    )
    args = parser.parse_args(argv)
    if args.wheel is not None:
        sha256 = build(args.wheel, args.out)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            sha256 = build(download_wheel(Path(tmp)), args.out)
    print(f"{sha256}  {args.out}")


if __name__ == "__main__":
    main()
