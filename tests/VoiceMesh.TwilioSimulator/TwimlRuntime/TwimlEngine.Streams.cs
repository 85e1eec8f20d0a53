using System.Xml.Linq;
using VoiceMesh.TwilioSimulator.MediaStreams;

namespace VoiceMesh.TwilioSimulator.TwimlRuntime;

/// <summary><c>&lt;Start&gt;&lt;Stream&gt;</c> (a fork: the document goes on at once) and <c>&lt;Connect&gt;&lt;Stream&gt;</c> (blocks until the socket closes).</summary>
internal sealed partial class TwimlEngine
{
    private void StartStreams(TwimlSession session, TwimlDocument document, XElement verb, VerbLog entry)
    {
        var started = verb.Elements("Stream").Select(stream => streams.Start(session.Call, StreamRequestOf(document, stream, bidirectional: false))).ToList();
        entry.Outcome = started.Count == 0 ? "not-simulated" : "started " + string.Join(' ', started.Select(s => s.Sid));
    }

    private void Connect(TwimlSession session, TwimlDocument document, XElement verb, XElement stream, VerbLog entry, Resume resume)
    {
        var action = Attr(verb, "action") is { } a ? Resolve(document.Url, a) : null;
        var method = Method(Attr(verb, "method"));
        var epoch = session.Epoch;
        var started = streams.Start(session.Call, StreamRequestOf(document, stream, bidirectional: true), () =>
            scheduler.Schedule(scheduler.Now, due => Locked(() =>
            {
                if (session.Ended || session.Epoch != epoch)
                {
                    return;
                }

                entry.Outcome = "closed";
                ContinueAfter(session, action, method, [], resume, due);
            })));
        entry.Text = started.Sid;
    }

    private static StreamRequest StreamRequestOf(TwimlDocument document, XElement stream, bool bidirectional) => new(
        Attr(stream, "url")!,
        Attr(stream, "name"),
        Attr(stream, "track") ?? "inbound_track",
        stream.Elements("Parameter").Where(p => Attr(p, "name") is not null)
            .GroupBy(p => Attr(p, "name")!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Attr(g.Last(), "value") ?? "", StringComparer.Ordinal),
        Attr(stream, "statusCallback") is { } callback ? Resolve(document.Url, callback) : null,
        Method(Attr(stream, "statusCallbackMethod")),
        bidirectional);
}
