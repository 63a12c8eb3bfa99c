// DNN preprocessing with OpenCV CUDA: every call below is its own kernel with a full-size
// temporary in device memory. The project already uses cvGPUSpeedup, so Fusion Lens rewrites each
// chain into one cvGS::executeOperations call.
#include <vector>
#include <opencv2/core.hpp>
#include <opencv2/core/cuda.hpp>
#include <opencv2/cudaarithm.hpp>
#include <opencv2/cudaimgproc.hpp>
#include <opencv2/cudawarping.hpp>
#include <cvGPUSpeedup.cuh>

constexpr int NET_W = 224;
constexpr int NET_H = 224;

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

// Edge-map input for a second network: the nearest-neighbour resize has no counterpart in
// cvGPUSpeedup (INTER_LINEAR only), so Fusion Lens reports the chain but offers no rewrite.
void thumbnail(const cv::cuda::GpuMat& frame, cv::cuda::GpuMat& out) {
  cv::cuda::GpuMat small, gray;
  cv::cuda::resize(frame, small, cv::Size(320, 180), 0, 0, cv::INTER_NEAREST);
  cv::cuda::cvtColor(small, gray, cv::COLOR_BGR2GRAY);
  gray.convertTo(out, CV_32FC1, 1.0 / 255);
}
