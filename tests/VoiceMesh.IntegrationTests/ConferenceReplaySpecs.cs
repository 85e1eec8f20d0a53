using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// One room's conference callbacks, signed and posted to the real gateway in 20 random orders with duplicates (a
/// redelivery under the same idempotency token and Twilio's retry under a new one), each order for its own
/// conference, through RabbitMQ into the Conferences service and PostgreSQL: the 20 read models are identical.
/// </summary>
public sealed class ConferenceReplaySpecs(MeshFixture fixture) : IClassFixture<MeshFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private static string Call(int i) => "CA" + i.ToString("x32", CultureInfo.InvariantCulture);

    /// <summary>A moderator and five attendees join; two are muted and unmuted, one held and unheld, one leaves; the moderator ends it.</summary>
    private static List<List<KeyValuePair<string, string>>> Callbacks(string conferenceSid)
    {
        var forms = new List<List<KeyValuePair<string, string>>>();
        var muted = new bool[6];
        var held = new bool[6];

        void Add(string kind, int? call, params KeyValuePair<string, string>[] extra)
        {
            var form = new List<KeyValuePair<string, string>>
            {
                new("AccountSid", Mesh.AccountSid),
                new("ConferenceSid", conferenceSid),
                new("FriendlyName", "replay-" + conferenceSid[^6..]),
                new("SequenceNumber", (forms.Count + 1).ToString(CultureInfo.InvariantCulture)),
                new("StatusCallbackEvent", kind),
                new("Timestamp", Start.AddSeconds(forms.Count).ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)),
            };
            if (call is { } i)
            {
                form.AddRange([
                    new("CallSid", Call(i)), new("Muted", muted[i] ? "true" : "false"), new("Hold", held[i] ? "true" : "false"),
                    new("Coaching", "false"), new("EndConferenceOnExit", i == 0 ? "true" : "false"), new("StartConferenceOnEnter", "true"),
                ]);
            }

            form.AddRange(extra);
            forms.Add(form);
        }

        for (var i = 0; i < 6; i++)
        {
            Add("participant-join", i);
        }

        Add("conference-start", null);
        muted[1] = muted[2] = true;
        Add("participant-mute", 1);
        Add("participant-mute", 2);
        held[3] = true;
        Add("participant-hold", 3);
        muted[1] = muted[2] = false;
        Add("participant-unmute", 1);
        Add("participant-unmute", 2);
        held[3] = false;
        Add("participant-unhold", 3);
        Add("participant-leave", 5, new("ReasonParticipantLeft", "participant_updated_via_api"), new("ParticipantCallStatus", "in-progress"));
        Add("participant-leave", 0, new("ReasonParticipantLeft", "participant_hung_up"), new("ParticipantCallStatus", "completed"));
        for (var i = 1; i <= 4; i++)
        {
            Add("participant-leave", i, new("ReasonParticipantLeft", "moderator_ended_conference"), new("ParticipantCallStatus", "in-progress"));
        }

        Add("conference-end", null,
            new("ReasonConferenceEnded", "participant-with-end-conference-on-exit-left"), new("CallSidEndingConference", Call(0)));
        return forms;
    }

    [Fact]
    public async Task Twenty_random_orders_of_one_rooms_callbacks_with_duplicates_give_identical_read_models()
    {
        var ct = TestContext.Current.CancellationToken;
        var random = new Random(20261130);
        var sids = Enumerable.Range(0, 20).Select(_ => "CF" + Guid.NewGuid().ToString("N")).ToList();
        await Task.WhenAll(sids.Select(async sid =>
        {
            var callbacks = Callbacks(sid).Select((form, i) => (Form: form, Token: $"{sid}-{i}")).ToList();
            List<(List<KeyValuePair<string, string>> Form, string Token)> arrivals;
            lock (random)
            {
                arrivals = [.. callbacks, .. callbacks.Where(_ => random.NextDouble() < 0.3)
                    .Select(c => random.Next(2) == 0 ? c : (c.Form, c.Token + "-twilio-retry"))];
                random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(arrivals));
            }

            foreach (var (form, token) in arrivals)
            {
                using var request = TwilioSignature.SignedPost(
                    Mesh.AuthToken, Mesh.PublicBaseUrl + "/twilio/conference/status", new Uri("/twilio/conference/status", UriKind.Relative), form, token);
                using var response = await fixture.Mesh.Client.SendAsync(request, ct);
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            }
        }));

        var api = new ConferenceMeshClient(fixture.Mesh);
        var expectedEvents = Callbacks(sids[0]).Count;
        var models = await Task.WhenAll(sids.Select(sid => api.WaitFor(sid, c => c.GetProperty("timeline").GetArrayLength() == expectedEvents, TimeSpan.FromSeconds(60))));

        var normalised = models.Select((model, i) => Normalise(model, sids[i])).ToList();
        Assert.All(normalised, n => Assert.Equal(normalised[0], n));
        Assert.Equal("completed", models[0].GetProperty("status").GetString());
        Assert.All(ConferenceMeshClient.Participants(models[0]), p => Assert.Equal("left", p.GetProperty("status").GetString()));
        Assert.All(ConferenceMeshClient.Participants(models[0]), p => Assert.False(p.GetProperty("muted").GetBoolean() || p.GetProperty("hold").GetBoolean()));
    }

    /// <summary>The read model without what names its conference.</summary>
    private static string Normalise(JsonElement model, string sid)
    {
        var node = JsonNode.Parse(model.GetRawText())!.AsObject();
        node.Remove("conferenceSid");
        node.Remove("friendlyName");
        return node.ToJsonString().Replace(sid, "CF", StringComparison.Ordinal);
    }
}
