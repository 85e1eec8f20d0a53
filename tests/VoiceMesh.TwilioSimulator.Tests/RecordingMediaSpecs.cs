using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Recordings;
using CallRecording = Twilio.Rest.Api.V2010.Account.Call.RecordingResource;

namespace VoiceMesh.TwilioSimulator.Tests;

/// <summary>Recording media: generated while it streams, sized, throttled and broken on purpose through the simulator control.</summary>
public sealed class RecordingMediaSpecs : IAsyncLifetime
{
    private SimulatorWorld _world = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _world = await SimulatorWorld.StartAsync();
        _http = _world.Host.CreateHttpClient();
    }

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A completed recording of <paramref name="seconds"/> made through the Call Recordings API.</summary>
    private async Task<string> RecordingAsync(int seconds = 2)
    {
        var to = "+1555124" + Random.Shared.Next(1000, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _world.Control.AddOutcome(new OutcomeRule { Match = to, Outcome = CallOutcomeKind.Human, TalkSeconds = 600 });
        var call = await CallResource.CreateAsync(
            to: new PhoneNumber(to), from: new PhoneNumber(SimulatorWorld.From), url: new Uri(SimulatorWorld.VoiceUrl), client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));
        var recording = await CallRecording.CreateAsync(call.Sid, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(seconds));
        await CallRecording.UpdateAsync(call.Sid, recording.Sid, CallRecording.StatusEnum.Stopped, client: _world.Twilio);
        return recording.Sid;
    }

    private static Uri Media(string recordingSid) =>
        new($"https://api.twilio.com/2010-04-01/Accounts/{SimulatorWorld.AccountSid}/Recordings/{recordingSid}.wav");

    private static long RiffLength(byte[] wav) => BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(4)) + 8L;

    private MediaDownload LastDownload(string recordingSid) => _world.Control.MediaDownloads.Last(d => d.RecordingSid == recordingSid);

    [Fact]
    public async Task A_100_MB_recording_streams_with_its_content_length_and_hash_without_being_held_in_memory()
    {
        const long size = 100 * 1024 * 1024;
        var sid = await RecordingAsync();
        _world.Control.SetRecordingMedia(sid, new RecordingMediaSettings { SizeBytes = size });

        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        using var response = await _http.GetAsync(Media(sid), HttpCompletionOption.ResponseHeadersRead, Ct);
        await using var body = await response.Content.ReadAsStreamAsync(Ct);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        var header = new byte[44];
        long read = 0;
        long peakHeap = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, Ct)) > 0)
        {
            if (read < 44)
            {
                buffer.AsSpan(0, (int)Math.Min(n, 44 - read)).CopyTo(header.AsSpan((int)read));
            }

            hash.AppendData(buffer, 0, n);
            read += n;
            if (read % (16 * 1024 * 1024) < n)
            {
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: true));
            }
        }

        var download = await WaitForAsync(sid, d => d.Outcome is not null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(size, response.Content.Headers.ContentLength);
        Assert.Equal("audio/x-wav", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(size, read);
        Assert.Equal(size, RiffLength(header));
        Assert.Equal((size, size, MediaDownloadOutcome.Completed), (download.ContentLength, download.BytesSent, download.Outcome));
        Assert.Equal(Convert.ToHexStringLower(hash.GetHashAndReset()), download.Sha256);
        Assert.True(peakHeap - heapBefore < size / 4, $"the managed heap grew by {peakHeap - heapBefore} bytes while 100 MB streamed");
        var recording = await RecordingResource.FetchAsync(sid, client: _world.Twilio);
        Assert.Equal("6554", recording.Duration); // 52,428,778 frames at 8 kHz: 6,553.6 s
    }

    [Fact]
    public async Task A_duration_makes_a_tone_that_long_and_a_bandwidth_paces_the_body()
    {
        var sid = await RecordingAsync();
        _world.Control.SetRecordingMedia(sid, new RecordingMediaSettings { DurationSeconds = 1, BytesPerSecond = 16_000 });

        var clock = Stopwatch.StartNew();
        var wav = await _http.GetByteArrayAsync(Media(sid), Ct);
        var elapsed = clock.Elapsed;

        Assert.Equal(44 + 16_000, wav.Length);
        Assert.True(elapsed >= TimeSpan.FromSeconds(0.9), $"16,044 bytes at 16,000 B/s took {elapsed}");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(wav)), (await WaitForAsync(sid, d => d.Outcome is not null)).Sha256);
        Assert.Equal("1", (await RecordingResource.FetchAsync(sid, client: _world.Twilio)).Duration);
    }

    [Fact]
    public async Task A_client_that_goes_away_mid_stream_is_seen_as_an_aborted_download()
    {
        var sid = await RecordingAsync();
        _world.Control.SetRecordingMedia(sid, new RecordingMediaSettings { DurationSeconds = 60, BytesPerSecond = 100_000 });

        using (var response = await _http.GetAsync(Media(sid), HttpCompletionOption.ResponseHeadersRead, Ct))
        {
            await using var body = await response.Content.ReadAsStreamAsync(Ct);
            await body.ReadExactlyAsync(new byte[10_000], Ct);
        }

        var download = await WaitForAsync(sid, d => d.Outcome is not null);
        Assert.Equal(MediaDownloadOutcome.Aborted, download.Outcome);
        Assert.InRange(download.BytesSent, 10_000, download.ContentLength!.Value - 1);
    }

    [Fact]
    public async Task A_truncated_body_announces_the_whole_file_sends_half_and_closes_the_connection()
    {
        var sid = await RecordingAsync();
        _world.Control.SetRecordingMedia(sid, new RecordingMediaSettings { Fault = new MediaFault { Kind = MediaFaultKind.Truncated, Count = 1 } });

        using var response = await _http.GetAsync(Media(sid), HttpCompletionOption.ResponseHeadersRead, Ct);
        var announced = response.Content.Headers.ContentLength;
        await using var body = await response.Content.ReadAsStreamAsync(Ct);
        var received = new MemoryStream();
        var failure = await Record.ExceptionAsync(() => body.CopyToAsync(received, Ct));
        var again = await _http.GetByteArrayAsync(Media(sid), Ct);

        Assert.Equal(44 + (2 * 16_000), announced);
        Assert.IsAssignableFrom<IOException>(failure);
        Assert.Equal(announced / 2, received.Length);
        var truncated = _world.Control.MediaDownloads.First(d => d.RecordingSid == sid);
        Assert.Equal((MediaFaultKind.Truncated, MediaDownloadOutcome.Truncated, announced / 2), (truncated.Fault!.Value, truncated.Outcome!.Value, (long?)truncated.BytesSent));
        Assert.Equal(announced, again.Length);
        Assert.Null(LastDownload(sid).Fault);
    }

    [Theory]
    [InlineData(MediaFaultKind.LongerThanHeader, 4096)]
    [InlineData(MediaFaultKind.ShorterThanHeader, -4096)]
    public async Task A_size_mismatch_serves_a_body_whose_length_disagrees_with_its_riff_header(MediaFaultKind kind, int difference)
    {
        var sid = await RecordingAsync();
        _world.Control.SetRecordingMedia(sid, new RecordingMediaSettings { Fault = new MediaFault { Kind = kind } });

        using var response = await _http.GetAsync(Media(sid), Ct);
        var wav = await response.Content.ReadAsByteArrayAsync(Ct);
        var second = await _http.GetByteArrayAsync(Media(sid), Ct);

        const long file = 44 + (2 * 16_000);
        Assert.Equal(file + difference, wav.Length);
        Assert.Equal(wav.Length, response.Content.Headers.ContentLength);
        Assert.Equal("RIFF", Encoding.ASCII.GetString(wav, 0, 4));
        Assert.Equal(file, RiffLength(wav));
        Assert.Equal(file + difference, second.Length);
    }

    [Fact]
    public async Task An_html_error_page_is_served_with_200_as_the_media()
    {
        var sid = await RecordingAsync();
        _world.Control.SetRecordingMedia(sid, new RecordingMediaSettings { Fault = new MediaFault { Kind = MediaFaultKind.Html } });

        using var response = await _http.GetAsync(Media(sid), Ct);
        var page = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.Ordinal);
        Assert.Equal(MediaFaultKind.Html, LastDownload(sid).Fault);
    }

    [Fact]
    public async Task Not_found_for_the_first_requests_then_the_media()
    {
        var sid = await RecordingAsync();
        _world.Control.SetRecordingMedia(sid, new RecordingMediaSettings { Fault = new MediaFault { Kind = MediaFaultKind.NotFound, Count = 2 } });

        using var first = await _http.GetAsync(Media(sid), Ct);
        using var second = await _http.GetAsync(Media(sid), Ct);
        using var third = await _http.GetAsync(Media(sid), Ct);

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.OK], new[] { first.StatusCode, second.StatusCode, third.StatusCode });
        Assert.Contains("20404", await first.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(44 + (2 * 16_000), (await third.Content.ReadAsByteArrayAsync(Ct)).Length);
        Assert.Equal([MediaFaultKind.NotFound, MediaFaultKind.NotFound, null], _world.Control.MediaDownloads.Where(d => d.RecordingSid == sid).Select(d => d.Fault));
    }

    [Fact]
    public async Task Media_exists_only_once_the_recording_is_completed()
    {
        var to = "+15551249999";
        _world.Control.AddOutcome(new OutcomeRule { Match = to, Outcome = CallOutcomeKind.Human, TalkSeconds = 600 });
        var call = await CallResource.CreateAsync(
            to: new PhoneNumber(to), from: new PhoneNumber(SimulatorWorld.From), url: new Uri(SimulatorWorld.VoiceUrl), client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));
        var recording = await CallRecording.CreateAsync(call.Sid, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(2));

        using var live = await _http.GetAsync(Media(recording.Sid), Ct);
        await CallRecording.UpdateAsync(call.Sid, recording.Sid, CallRecording.StatusEnum.Stopped, client: _world.Twilio);
        using var done = await _http.GetAsync(Media(recording.Sid), Ct);

        Assert.Equal(HttpStatusCode.NotFound, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
    }

    [Fact]
    public async Task The_admin_api_sets_media_settings_and_lists_downloads()
    {
        var sid = await RecordingAsync();
        using var admin = new HttpClient { BaseAddress = _world.Host.BaseAddress };

        using var put = await admin.PutAsJsonAsync($"/_sim/recordings/{sid}/media", new { sizeBytes = 1044, fault = new { kind = "longer-than-header", count = 1 } }, Ct);
        var faulty = await _http.GetByteArrayAsync(Media(sid), Ct);
        var normal = await _http.GetByteArrayAsync(Media(sid), Ct);
        var downloads = await admin.GetFromJsonAsync<List<MediaDownload>>($"/_sim/recordings/downloads?recordingSid={sid}", Ct);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal((1044 + 4096, 1044), (faulty.Length, normal.Length));
        Assert.NotNull(downloads);
        Assert.Equal([MediaFaultKind.LongerThanHeader, null], downloads.Select(d => d.Fault));
        Assert.All(downloads, d => Assert.Equal(MediaDownloadOutcome.Completed, d.Outcome));
    }

    [Theory]
    [InlineData("{", HttpStatusCode.BadRequest)]
    [InlineData("null", HttpStatusCode.BadRequest)]
    [InlineData("{\"sizeBytes\":45}", HttpStatusCode.BadRequest)]
    [InlineData("{\"sizeBytes\":10}", HttpStatusCode.BadRequest)]
    [InlineData("{\"sizeBytes\":1044,\"durationSeconds\":3}", HttpStatusCode.BadRequest)]
    [InlineData("{\"durationSeconds\":-1}", HttpStatusCode.BadRequest)]
    [InlineData("{\"bytesPerSecond\":0}", HttpStatusCode.BadRequest)]
    [InlineData("{\"fault\":{\"kind\":\"exploded\"}}", HttpStatusCode.BadRequest)]
    [InlineData("{\"fault\":{\"count\":2}}", HttpStatusCode.BadRequest)]
    [InlineData("{\"fault\":{\"kind\":\"html\",\"count\":0}}", HttpStatusCode.BadRequest)]
    public async Task Malformed_media_settings_get_a_problem_and_change_nothing(string body, HttpStatusCode expected)
    {
        var sid = await RecordingAsync();
        using var admin = new HttpClient { BaseAddress = _world.Host.BaseAddress };

        using var response = await admin.PutAsync(
            new Uri($"/_sim/recordings/{sid}/media", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        var wav = await _http.GetByteArrayAsync(Media(sid), Ct);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(44 + (2 * 16_000), wav.Length);
    }

    [Fact]
    public async Task Media_settings_for_an_unknown_recording_get_404()
    {
        using var admin = new HttpClient { BaseAddress = _world.Host.BaseAddress };

        using var response = await admin.PutAsJsonAsync("/_sim/recordings/RE00000000000000000000000000000000/media", new { durationSeconds = 1 }, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Throws<KeyNotFoundException>(() =>
            _world.Control.SetRecordingMedia("RE00000000000000000000000000000000", RecordingMediaSettings.Recorded));
    }

    private async Task<MediaDownload> WaitForAsync(string sid, Func<MediaDownload, bool> done)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (_world.Control.MediaDownloads.LastOrDefault(d => d.RecordingSid == sid) is { } download && done(download))
            {
                return download;
            }

            await Task.Delay(20, Ct);
        }

        throw new TimeoutException($"No download of {sid} reached the expected state: {string.Join(", ", _world.Control.MediaDownloads)}");
    }
}
