// Normalization of a device image that came in as a raw pointer (a decoder's output buffer),
// wrapped in a GpuMat to use OpenCV CUDA. The project uses the Fused Kernel Library directly, so
// Fusion Lens rewrites the chain into one fk::executeOperations call over the raw pointers.
#include <cstdint>
#include <opencv2/core.hpp>
#include <opencv2/core/cuda.hpp>
#include <opencv2/cudaarithm.hpp>
#include <fused_kernel/fused_kernel.h>

constexpr int WIDTH = 1280;
constexpr int HEIGHT = 720;

// decoded: WIDTH x HEIGHT BGR pixels, pitch in bytes; out: CV_32FC3 image of the same size.
void normalize_frame(uint8_t* decoded, size_t pitch, cv::cuda::GpuMat& out) {
  const cv::cuda::GpuMat src(HEIGHT, WIDTH, CV_8UC3, decoded, pitch);
  cv::cuda::GpuMat asFloat, centered;
  src.convertTo(asFloat, CV_32FC3, 1.0 / 255);
  cv::cuda::subtract(asFloat, cv::Scalar(0.5, 0.5, 0.5), centered);
  cv::cuda::multiply(centered, cv::Scalar::all(2.0), out);
}
