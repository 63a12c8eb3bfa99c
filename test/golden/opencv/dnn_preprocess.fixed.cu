// DNN preprocessing with OpenCV CUDA: every call below is its own kernel with a full-size
// temporary in device memory. The project already uses cvGPUSpeedup, so Fusion Lens rewrites each
// chain into one cvGS::executeOperations call.
#include <array>
#include <vector>
#include <opencv2/core.hpp>
#include <opencv2/core/cuda.hpp>
#include <opencv2/cudaarithm.hpp>
#include <opencv2/cudaimgproc.hpp>
#include <opencv2/cudawarping.hpp>
#include <cvGPUSpeedup.cuh>

constexpr int NET_W = 224;
constexpr int NET_H = 224;
constexpr int MAX_DETECTIONS = 16;
constexpr int CROP_W = 96;
constexpr int CROP_H = 192;

// One 1080p camera frame -> planar, normalized RGB float input of a 224x224 classifier.
void preprocess(const cv::cuda::GpuMat& frame, std::vector<cv::cuda::GpuMat>& planes, cv::cuda::Stream& stream) {
  CV_Assert(frame.type() == CV_8UC3);
  // fusion-lens: frame.width=1920, frame.height=1080
  const cv::Size netSize(NET_W, NET_H);
  const cv::Scalar mean(0.485, 0.456, 0.406);
  const cv::Scalar stdDev(0.229, 0.224, 0.225);
  cv::cuda::GpuMat resized, rgb, scaled, centered, normalized;
  // Fusion Lens: resize → cvtColor → convertTo → subtract → divide → split run as one cvGPUSpeedup kernel (6 launches → 1); `resized`, `rgb`, `scaled`, `centered`, `normalized` are never written.
  // resize is the read step and outputs float (CV_32FC3), so the 8-bit resized image OpenCV rounds is never formed: values differ from OpenCV's by that rounding.
  // rgb.convertTo becomes a multiply by 1.0 / 255 (the data is already float after the resize).
  planes.resize(3);
  for (auto& plane : planes) plane.create(netSize, CV_32FC1);
  cvGS::executeOperations(stream,
      cvGS::resize<CV_8UC3, cv::INTER_LINEAR>(frame, netSize, 0, 0),
      cvGS::cvtColor<cv::COLOR_BGR2RGB, CV_32FC3>(),
      cvGS::multiply<CV_32FC3>(cv::Scalar::all(1.0 / 255)),
      cvGS::subtract<CV_32FC3>(mean),
      cvGS::divide<CV_32FC3>(stdDev),
      cvGS::split<CV_32FC3>(planes));
}

// Second stage: every detected person (a fixed-size box around its centre) becomes a 64x128
// input of a re-identification network. Five kernels per detection, sixteen detections.
void preprocess_detections(const cv::cuda::GpuMat& frame, const cv::Point (&centres)[MAX_DETECTIONS],
                           std::array<std::vector<cv::cuda::GpuMat>, MAX_DETECTIONS>& planes, cv::cuda::Stream& stream) {
  CV_Assert(frame.type() == CV_8UC3);
  const cv::Size reidSize(64, 128);
  const cv::Scalar mean(0.485, 0.456, 0.406);
  const cv::Scalar stdDev(0.229, 0.224, 0.225);
  // Fusion Lens: resize → convertTo → subtract → divide → split for all MAX_DETECTIONS crops as one batched cvGPUSpeedup kernel (16 × 5 launches → 1).
  // resize is the read step and outputs float (CV_32FC3), so the 8-bit resized image OpenCV rounds is never formed: values differ from OpenCV's by that rounding.
  // resized.convertTo becomes a multiply by 1.0 / 255 (the data is already float after the resize).
  std::array<cv::cuda::GpuMat, MAX_DETECTIONS> batchInputs;
  std::array<std::vector<cv::cuda::GpuMat>, MAX_DETECTIONS> batchOutputs;
  for (int d = 0; d < MAX_DETECTIONS; ++d) {
    const cv::Rect box(centres[d].x - CROP_W / 2, centres[d].y - CROP_H / 2, CROP_W, CROP_H);
    batchInputs[d] = frame(box);
    planes[d].resize(3);
    for (auto& plane : planes[d]) plane.create(reidSize, CV_32FC1);
    batchOutputs[d] = planes[d];
  }
  cvGS::executeOperations(stream,
      cvGS::resize<CV_8UC3, cv::INTER_LINEAR, MAX_DETECTIONS>(batchInputs, reidSize, MAX_DETECTIONS),
      cvGS::multiply<CV_32FC3>(cv::Scalar::all(1.0 / 255)),
      cvGS::subtract<CV_32FC3>(mean),
      cvGS::divide<CV_32FC3>(stdDev),
      cvGS::split<CV_32FC3>(batchOutputs));
}

// Edge-map input for a second network: the nearest-neighbour resize has no counterpart in
// cvGPUSpeedup (INTER_LINEAR only), so Fusion Lens reports the chain but offers no rewrite.
void thumbnail(const cv::cuda::GpuMat& frame, cv::cuda::GpuMat& out) {
  cv::cuda::GpuMat small, gray;
  cv::cuda::resize(frame, small, cv::Size(320, 180), 0, 0, cv::INTER_NEAREST);
  cv::cuda::cvtColor(small, gray, cv::COLOR_BGR2GRAY);
  gray.convertTo(out, CV_32FC1, 1.0 / 255);
}
