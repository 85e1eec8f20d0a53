using System.Buffers.Binary;
using System.Text;
using VoiceMesh.Recordings.Archiving;

namespace VoiceMesh.Recordings.Tests;

public sealed class MediaVerificationSpecs
{
    private const string Sim = "http://127.0.0.1:5123/";

    private static byte[] Wav(int dataBytes)
    {
        var bytes = new byte[44 + dataBytes];
        "RIFF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(36 + dataBytes));
        "WAVEfmt "u8.CopyTo(bytes.AsSpan(8));
        return bytes;
    }

    private static async Task<long> Drain(Stream stream)
    {
        var buffer = new byte[7];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
        {
            total += read;
        }

        return total;
    }

    [Fact]
    public async Task A_wav_of_the_declared_length_passes_through_unchanged()
    {
        var wav = Wav(1000);
        await using var stream = new WavVerifyingStream(new MemoryStream(wav), wav.Length);

        Assert.Equal(wav.Length, await Drain(stream));
    }

    [Fact]
    public async Task An_html_error_page_is_not_audio()
    {
        var html = Encoding.UTF8.GetBytes("<html><body>502 Bad Gateway</body></html>");
        await using var stream = new WavVerifyingStream(new MemoryStream(html), html.Length);

        var error = await Assert.ThrowsAsync<RecordingVerificationException>(() => Drain(stream));
        Assert.Contains("not audio", error.Message, StringComparison.Ordinal);
        Assert.Equal(ArchiveFailureTypes.NotAudio, error.ErrorType);
    }

    [Fact]
    public async Task A_download_cut_short_of_its_content_length_is_a_size_mismatch()
    {
        var wav = Wav(1000);
        await using var stream = new WavVerifyingStream(new MemoryStream(wav[..500]), wav.Length);

        var error = await Assert.ThrowsAsync<RecordingVerificationException>(() => Drain(stream));
        Assert.Equal(ArchiveFailureTypes.SizeMismatch, error.ErrorType);
    }

    [Fact]
    public async Task A_connection_closed_before_its_content_length_as_httpclient_reports_it_is_a_size_mismatch()
    {
        var wav = Wav(1000);
        await using var stream = new WavVerifyingStream(new EndsPrematurely(wav[..500]), wav.Length);

        var error = await Assert.ThrowsAsync<RecordingVerificationException>(() => Drain(stream));
        Assert.StartsWith("The media ended after 500 bytes; the response declared 1044", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wav_shorter_than_its_riff_header_declares_is_a_size_mismatch_even_without_content_length()
    {
        var wav = Wav(1000);
        await using var stream = new WavVerifyingStream(new MemoryStream(wav[..900]), declaredLength: null);

        var error = await Assert.ThrowsAsync<RecordingVerificationException>(() => Drain(stream));
        Assert.Contains("RIFF", error.Message, StringComparison.Ordinal);
        Assert.Equal(ArchiveFailureTypes.SizeMismatch, error.ErrorType);
    }

    [Theory]
    [InlineData("https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1", "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1.wav")]
    [InlineData(Sim + "2010-04-01/Accounts/AC1/Recordings/RE1", Sim + "2010-04-01/Accounts/AC1/Recordings/RE1.wav")]
    public void Twilio_and_the_configured_api_host_are_fetched_as_wav(string url, string expected)
    {
        var (media, refusal) = MediaUrlGuard.Check(url, Sim);

        Assert.Null(refusal);
        Assert.Equal(new Uri(expected), media);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1")]
    [InlineData("https://api.twilio.com.evil.example/Recordings/RE1")]
    [InlineData("https://user:pw@api.twilio.com/Recordings/RE1")]
    [InlineData("http://127.0.0.1:5124/2010-04-01/Accounts/AC1/Recordings/RE1")]
    [InlineData("file:///etc/passwd")]
    [InlineData(null)]
    public void Any_other_url_is_refused_without_a_request(string? url)
    {
        var (media, refusal) = MediaUrlGuard.Check(url, Sim);

        Assert.Null(media);
        Assert.NotNull(refusal);
    }

    /// <summary>What SocketsHttpHandler's content stream does when the connection closes before Content-Length bytes came.</summary>
    private sealed class EndsPrematurely(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position == bytes.Length)
            {
                throw new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
            }

            var take = Math.Min(buffer.Length, bytes.Length - _position);
            bytes.AsSpan(_position, take).CopyTo(buffer);
            _position += take;
            return take;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
