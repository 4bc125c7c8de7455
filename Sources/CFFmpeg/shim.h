// FFmpeg's demuxing, decoding and scaling libraries, plus small inline helpers for the
// function-like macros Swift cannot import.
#ifndef SEGD_CFFMPEG_SHIM_H
#define SEGD_CFFMPEG_SHIM_H
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>

/// AVERROR(e) for a POSIX errno value.
static inline int segd_averror(int e) { return AVERROR(e); }
/// AVERROR_EOF, a macro built from FFERRTAG.
static inline int segd_averror_eof(void) { return AVERROR_EOF; }
/// The major.minor.micro triple packed by AV_VERSION_INT, unpacked.
static inline unsigned segd_version_major(unsigned v) { return AV_VERSION_MAJOR(v); }
static inline unsigned segd_version_minor(unsigned v) { return AV_VERSION_MINOR(v); }
static inline unsigned segd_version_micro(unsigned v) { return AV_VERSION_MICRO(v); }
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
#include <libavutil/motion_vector.h>
#include <libavdevice/avdevice.h>

/// AVERROR_INVALIDDATA ("Invalid data found when processing input"), a macro built from FFERRTAG.
static inline int segd_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
/// AVERROR_DECODER_NOT_FOUND, a macro built from FFERRTAG.
static inline int segd_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
/// AV_NOPTS_VALUE ("no timestamp"), a cast macro Swift does not import.
static inline int64_t segd_nopts_value(void) { return AV_NOPTS_VALUE; }
/// AVERROR_EXIT (an interrupt callback stopped the call), a macro built from FFERRTAG.
static inline int segd_averror_exit(void) { return AVERROR_EXIT; }
/// AV_CODEC_FLAG2_EXPORT_MVS: the decoder attaches AV_FRAME_DATA_MOTION_VECTORS side data.
static inline int segd_codec_flag2_export_mvs(void) { return AV_CODEC_FLAG2_EXPORT_MVS; }
#endif
