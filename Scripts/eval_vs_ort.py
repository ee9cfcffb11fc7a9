#!/usr/bin/env python3
"""Helper of Scripts/check-eval-vs-ort.sh; two steps, run by two Pythons.

    prepare REC OUT.npy   (MXNet venv: mxnet, cv2) decodes every record of an im2rec .rec with OpenCV
                          (libjpeg-turbo), shorter side to 256 (cv2 INTER_LINEAR, only when not 256 already),
                          center crop 224, torch normalisation; writes OUT.npy and OUT.labels.npy
    score OUT.npy MODEL   (onnxruntime) prints top-1 of MODEL on those images as JSON
"""
import json
import sys

import numpy as np


def prepare(rec, out):
    import cv2
    from mxnet import recordio

    reader = recordio.MXRecordIO(rec, "r")
    images, labels = [], []
    mean = np.array([0.485, 0.456, 0.406], np.float32) * 255
    std = np.array([0.229, 0.224, 0.225], np.float32) * 255
    while True:
        item = reader.read()
        if item is None:
            break
        header, payload = recordio.unpack(item)
        img = cv2.imdecode(np.frombuffer(payload, np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1]
        h, w = img.shape[:2]
        if min(h, w) != 256:
            if h < w:
                size = (int(w * 256 / h), 256)
            else:
                size = (256, int(h * 256 / w))
            img = cv2.resize(img, size, interpolation=cv2.INTER_LINEAR)
            h, w = img.shape[:2]
        top, left = (h - 224) // 2, (w - 224) // 2
        crop = img[top:top + 224, left:left + 224].astype(np.float32)
        images.append(((crop - mean) / std).transpose(2, 0, 1))
        label = header.label if np.isscalar(header.label) else header.label[0]
        labels.append(int(label))
    np.save(out, np.stack(images).astype(np.float32))
    np.save(out[:-4] + ".labels.npy", np.array(labels, np.int64))


def score(data, model):
    import onnxruntime as ort

    x = np.load(data)
    labels = np.load(data[:-4] + ".labels.npy")
    s = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    name = s.get_inputs()[0].name
    logits = np.concatenate([s.run(None, {name: x[i:i + 8]})[0] for i in range(0, len(x), 8)])
    top1 = logits.argmax(1)
    print(json.dumps({"top1": round(100 * float((top1 == labels).mean()), 2), "images": int(len(x)),
                      "top1_classes": [int(c) for c in top1]}))


if __name__ == "__main__":
    {"prepare": prepare, "score": score}[sys.argv[1]](*sys.argv[2:])
