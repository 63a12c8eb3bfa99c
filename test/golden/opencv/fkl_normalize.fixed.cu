// Normalization of a device image that came in as a raw pointer (a decoder's output buffer),
// wrapped in a GpuMat to use OpenCV CUDA. The project uses the Fused Kernel Library directly, so
// Fusion Lens rewrites the chain into one fk::executeOperations call over the raw pointers.
#include <cstdint>
#include <opencv2/core.hpp>
#include <opencv2/core/cuda.hpp>
#include <opencv2/cudaarithm.hpp>
#include <fused_kernel/fused_kernel.h>
#include <opencv2/core/cuda_stream_accessor.hpp>
#include <fused_kernel/algorithms/basic_ops/memory_operations.h>
#include <fused_kernel/algorithms/image_processing/saturate.h>
#include <fused_kernel/algorithms/basic_ops/arithmetic.h>

constexpr int WIDTH = 1280;
constexpr int HEIGHT = 720;

// decoded: WIDTH x HEIGHT BGR pixels, pitch in bytes; out: CV_32FC3 image of the same size.
void normalize_frame(uint8_t* decoded, size_t pitch, cv::cuda::GpuMat& out) {
  const cv::cuda::GpuMat src(HEIGHT, WIDTH, CV_8UC3, decoded, pitch);
  cv::cuda::GpuMat asFloat, centered;
  {
    // Fusion Lens: convertTo → subtract → multiply run as one FKL kernel (3 launches → 1); `asFloat`, `centered` are never written.
    out.create(src.size(), CV_32FC3);
    const fk::Ptr2D<float3> outputPtr(reinterpret_cast<float3*>(out.data), out.cols, out.rows, static_cast<uint>(out.step), fk::MemType::Device);
    const fk::Ptr2D<uchar3> inputPtr(reinterpret_cast<uchar3*>(src.data), src.cols, src.rows, static_cast<uint>(src.step), fk::MemType::Device);
    fk::Stream fkStream(cv::cuda::StreamAccessor::getStream(cv::cuda::Stream::Null()));
    fk::executeOperations<fk::TransformDPP<>>(fkStream,
        fk::PerThreadRead<fk::ND::_2D, uchar3>::build(inputPtr),
        fk::SaturateCast<uchar3, float3>::build(),
        fk::Mul<float3>::build(fk::make_set<float3>(1.0 / 255)),
        fk::Sub<float3>::build(fk::make_<float3>(static_cast<float>(0.5), static_cast<float>(0.5), static_cast<float>(0.5))),
        fk::Mul<float3>::build(fk::make_set<float3>(2.0)),
        fk::PerThreadWrite<fk::ND::_2D, float3>::build(outputPtr));
    fkStream.sync(); // OpenCV's default-stream calls return when done
  }
}
