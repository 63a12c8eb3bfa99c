// Declaration-only stand-in for OpenCV's opencv2/cudawarping.hpp (opencv_contrib), which Debian's
// OpenCV (built without CUDA) does not ship. Signatures follow the OpenCV 4.x documentation; used
// only to compile-check examples (nothing here is linked or run).
#pragma once
#include <opencv2/core/cuda.hpp>
#include <opencv2/imgproc.hpp>
namespace cv { namespace cuda {
CV_EXPORTS_W void resize(InputArray src, OutputArray dst, Size dsize, double fx = 0, double fy = 0,
                         int interpolation = INTER_LINEAR, Stream& stream = Stream::Null());
}}
