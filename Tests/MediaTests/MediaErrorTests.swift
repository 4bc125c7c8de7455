import Testing
import Media
import CFFmpeg

@Suite struct MediaErrorTests {
    @Test func messagesNameTheInput() {
        #expect(MediaError.noPicture(path: "a.mp4").description == "a.mp4: contains no picture that FFmpeg can decode")
        #expect(MediaError.tooLarge(path: "big.png", width: 20000, height: 10, limit: 16384).description
                == "big.png: 20000x10 pixels exceeds the limit of 16384 pixels per side; scale the image down first")
        // FFmpeg's own text for ENOENT.
        #expect(MediaError.ffmpegMessage(segd_averror(2)) == "No such file or directory")
    }
}
