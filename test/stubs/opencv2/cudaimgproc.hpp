// Declaration-only stand-in for OpenCV's opencv2/cudaimgproc.hpp (opencv_contrib), which Debian's
// OpenCV (built without CUDA) does not ship. Signatures follow the OpenCV 4.x documentation; used
// only to compile-check examples (nothing here is linked or run).
#pragma once
#include <opencv2/core/cuda.hpp>
#include <opencv2/imgproc.hpp>
namespace cv { namespace cuda {
CV_EXPORTS_W void cvtColor(InputArray src, OutputArray dst, int code, int dcn = 0, Stream& stream = Stream::Null());
}}
