using System.Security.Cryptography;
using System.Text.Json;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Rest.Api.V2010.Account.Conference;
using Twilio.Types;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Recordings;
using ConferenceRecording = Twilio.Rest.Api.V2010.Account.Conference.RecordingResource;
using RecordingResource = Twilio.Rest.Api.V2010.Account.RecordingResource;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// A conference recorded from its start (Participants create with <c>ConferenceRecord</c>) leaves a recording that names
/// the conference and no call; its status callback goes through the gateway to the Recordings service (a process, real
/// PostgreSQL and RabbitMQ, filesystem storage), which archives it under the ConferenceSid and deletes it at Twilio.
/// </summary>
public sealed class ConferenceRecordingArchiveSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private Mesh _mesh = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _mesh = await Mesh.Start(await infrastructure.CreateVirtualHostAsync(), infrastructure.PostgresConnectionString);

    public async ValueTask DisposeAsync() => await _mesh.DisposeAsync();

    [Fact]
    public async Task A_recorded_conference_is_archived_under_its_conference_sid_and_deleted_at_twilio()
    {
        var twilio = _mesh.Simulator.CreateTwilioClient();
        string[] participants = ["+14155550181", "+14155550182"];
        ParticipantResource? first = null;
        foreach (var to in participants)
        {
            _mesh.Simulator.Control.AddOutcome(new OutcomeRule { Match = to, Outcome = CallOutcomeKind.Human, RingSeconds = 1, TalkSeconds = 6000 });
            var participant = await ParticipantResource.CreateAsync(
                "archived-room", from: new PhoneNumber("+15005550006"), to: new PhoneNumber(to),
                conferenceRecord: "record-from-start",
                conferenceRecordingStatusCallback: new Uri(Mesh.PublicBaseUrl + "/twilio/recording/status"),
                client: twilio);
            first ??= participant;
        }

        var conferenceSid = first!.ConferenceSid;
        var recordingSid = await LiveRecordingOf(conferenceSid, TimeSpan.FromSeconds(30));
        // A fixed 3 s of media, so the expected bytes do not depend on how long the conference ran in real time.
        _mesh.Simulator.Control.SetRecordingMedia(recordingSid, new RecordingMediaSettings { DurationSeconds = 3 });
        await ConferenceResource.UpdateAsync(conferenceSid, status: ConferenceResource.UpdateStatusEnum.Completed, client: twilio);

        var recording = await WaitForArchived(recordingSid, TimeSpan.FromSeconds(60));

        // One callback; an attempt the gateway could not store in time (503) is retried by Twilio under the same token.
        var attempts = _mesh.Simulator.Control.Webhooks.Where(w => w.Kind == "recording").ToList();
        Assert.Single(attempts.Select(w => w.IdempotencyToken).Distinct());
        var callback = attempts.MaxBy(w => w.Attempt)!;
        Assert.Equal((conferenceSid, 204), (callback.Parameters["ConferenceSid"], callback.ResponseStatus));
        Assert.Equal(Mesh.PublicBaseUrl + "/twilio/recording/status", callback.Url);
        Assert.False(callback.Parameters.ContainsKey("CallSid"));
        var tone = WavAudio.Tone(3);
        var expected = new byte[tone.Length];
        tone.Fill(0, expected);
        Assert.Equal(JsonValueKind.Null, recording.GetProperty("callSid").ValueKind);
        Assert.Equal((expected.Length, 3), (recording.GetProperty("sizeBytes").GetInt64(), recording.GetProperty("durationSeconds").GetInt32()));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(expected)), recording.GetProperty("sha256").GetString());
        var key = $"{Mesh.AccountSid}/{conferenceSid}/{recordingSid}.wav";
        Assert.Equal(new Uri(Path.Combine(_mesh.RecordingsDirectory, key)), new Uri(recording.GetProperty("blobUri").GetString()!));
        Assert.Equal(expected, await File.ReadAllBytesAsync(Path.Combine(_mesh.RecordingsDirectory, key), Ct));
        var sideCar = JsonSerializer.Deserialize<JsonElement>(await File.ReadAllTextAsync(Path.Combine(_mesh.RecordingsDirectory, key + ".json"), Ct));
        Assert.Equal(conferenceSid, sideCar.GetProperty("metadata").GetProperty("conferenceSid").GetString());
        Assert.Equal(JsonValueKind.Null, sideCar.GetProperty("metadata").GetProperty("callSid").ValueKind);
        var gone = await Assert.ThrowsAsync<ApiException>(() => RecordingResource.FetchAsync(recordingSid, client: twilio));
        Assert.Equal(404, gone.Status);
        Assert.Empty(await ConferenceRecording.ReadAsync(conferenceSid, client: twilio));
    }

    /// <summary>The conference's one recording, listed at <c>Conferences/{CF}/Recordings.json</c> once the conference started.</summary>
    private async Task<string> LiveRecordingOf(string conferenceSid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var listed = await ConferenceRecording.ReadAsync(conferenceSid, client: _mesh.Simulator.CreateTwilioClient());
            if (listed.FirstOrDefault() is { } recording)
            {
                Assert.Equal(ConferenceRecording.StatusEnum.InProgress, recording.Status);
                return recording.Sid;
            }

            await Task.Delay(100, Ct);
        }

        throw new TimeoutException($"Conference {conferenceSid} started no recording within {timeout}");
    }

    private async Task<JsonElement> WaitForArchived(string recordingSid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await _mesh.Client.GetAsync($"/api/recordings/{recordingSid}", Ct);
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}";
            if (response.IsSuccessStatusCode
                && JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync(Ct)) is var recording
                && recording.GetProperty("status").GetString() == "archived" && recording.GetProperty("deletedAtTwilio").GetBoolean())
            {
                return recording;
            }

            await Task.Delay(200, Ct);
        }

        throw new TimeoutException($"Recording {recordingSid} was not archived and deleted within {timeout}; last seen: {last}\n"
            + _mesh.Services["recordings"].RecentOutput);
    }
}
