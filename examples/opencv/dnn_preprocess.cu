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
  cv::cuda::resize(frame, resized, netSize, 0, 0, cv::INTER_LINEAR, stream);
  cv::cuda::cvtColor(resized, rgb, cv::COLOR_BGR2RGB, 0, stream);
  rgb.convertTo(scaled, CV_32FC3, 1.0 / 255, stream);
  cv::cuda::subtract(scaled, mean, centered, cv::noArray(), -1, stream);
  cv::cuda::divide(centered, stdDev, normalized, 1, -1, stream);
  cv::cuda::split(normalized, planes, stream);
}

// Second stage: every detected person (a fixed-size box around its centre) becomes a 64x128
// input of a re-identification network. Five kernels per detection, sixteen detections.
void preprocess_detections(const cv::cuda::GpuMat& frame, const cv::Point (&centres)[MAX_DETECTIONS],
                           std::array<std::vector<cv::cuda::GpuMat>, MAX_DETECTIONS>& planes, cv::cuda::Stream& stream) {
  CV_Assert(frame.type() == CV_8UC3);
  const cv::Size reidSize(64, 128);
  const cv::Scalar mean(0.485, 0.456, 0.406);
  const cv::Scalar stdDev(0.229, 0.224, 0.225);
  for (int d = 0; d < MAX_DETECTIONS; ++d) {
    const cv::Rect box(centres[d].x - CROP_W / 2, centres[d].y - CROP_H / 2, CROP_W, CROP_H);
    cv::cuda::GpuMat resized, scaled, centered, normalized;
    cv::cuda::resize(frame(box), resized, reidSize, 0, 0, cv::INTER_LINEAR, stream);
    resized.convertTo(scaled, CV_32FC3, 1.0 / 255, stream);
    cv::cuda::subtract(scaled, mean, centered, cv::noArray(), -1, stream);
    cv::cuda::divide(centered, stdDev, normalized, 1, -1, stream);
    cv::cuda::split(normalized, planes[d], stream);
  }
}

// Edge-map input for a second network: the nearest-neighbour resize has no counterpart in
// cvGPUSpeedup (INTER_LINEAR only), so Fusion Lens reports the chain but offers no rewrite.
void thumbnail(const cv::cuda::GpuMat& frame, cv::cuda::GpuMat& out) {
  cv::cuda::GpuMat small, gray;
  cv::cuda::resize(frame, small, cv::Size(320, 180), 0, 0, cv::INTER_NEAREST);
  cv::cuda::cvtColor(small, gray, cv::COLOR_BGR2GRAY);
  gray.convertTo(out, CV_32FC1, 1.0 / 255);
}
