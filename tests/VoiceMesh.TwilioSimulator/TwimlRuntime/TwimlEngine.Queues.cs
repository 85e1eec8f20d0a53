using System.Globalization;
using System.Xml.Linq;
using VoiceMesh.TwilioSimulator.Queues;
using VoiceMesh.TwilioSimulator.Rest;

namespace VoiceMesh.TwilioSimulator.TwimlRuntime;

/// <summary><c>&lt;Enqueue&gt;</c>, wait documents, <c>&lt;Leave&gt;</c> and <c>&lt;Dial&gt;&lt;Queue&gt;</c> bridges (REFERENCE §9.13, §9.14).</summary>
internal sealed partial class TwimlEngine
{
    private void Enqueue(TwimlSession session, TwimlDocument document, XElement verb, VerbLog entry, Resume resume, DateTimeOffset at)
    {
        entry.Text = verb.Value.Trim();
        int? maxQueueSize = Attr(verb, "maxQueueSize") is { } max ? TwimlParser.Count(max) : null;
        var queue = QueueNamed(session.Call.AccountSid, entry.Text, at, maxQueueSize);
        var action = Attr(verb, "action") is { } a ? Resolve(document.Url, a) : null;
        var method = Method(Attr(verb, "method"));
        if (queue.Members.Count >= (maxQueueSize ?? queue.MaxSize))
        {
            entry.Outcome = "queue-full";
            ContinueAfter(session, action, method, [new("QueueResult", "queue-full")], resume, at);
            return;
        }

        var member = new QueueMember
        {
            Session = session,
            Queue = queue,
            EnqueuedAt = at,
            Action = action,
            Method = method,
            WaitUrl = Attr(verb, "waitUrl") is { Length: > 0 } waitUrl ? Resolve(document.Url, waitUrl) : null,
            WaitMethod = Method(Attr(verb, "waitUrlMethod")),
            After = resume,
            Entry = entry,
        };
        queue.Members.Add(member);
        queue.DateUpdated = at;
        session.Member = member;
        if (queue.Waiters.Count > 0)
        {
            var dialler = queue.Waiters[0];
            queue.Waiters.RemoveAt(0);
            dialler.Dial!.WaitingOn = null;
            StartBridge(dialler, dialler.Dial, member, at);
            return;
        }

        RequestWaitUrl(member, at);
    }

    private void RequestWaitUrl(QueueMember member, DateTimeOffset at)
    {
        if (member.WaitUrl is { } waitUrl)
        {
            FetchAndRun(member.Session, waitUrl, member.WaitMethod, WaitParameters(member, at), at, member);
        }
    }

    private static List<KeyValuePair<string, string>> WaitParameters(QueueMember member, DateTimeOffset at)
    {
        var queue = member.Queue;
        return
        [
            new("AvgQueueTime", queue.AverageWaitSeconds(at).ToString(CultureInfo.InvariantCulture)),
            new("CurrentQueueSize", queue.Members.Count.ToString(CultureInfo.InvariantCulture)),
            new("MaxQueueSize", queue.MaxSize.ToString(CultureInfo.InvariantCulture)),
            new("QueuePosition", (queue.Members.IndexOf(member) + 1).ToString(CultureInfo.InvariantCulture)),
            new("QueueSid", queue.Sid),
            new("QueueTime", SimQueue.WaitSeconds(member, at).ToString(CultureInfo.InvariantCulture)),
        ];
    }

    private static List<KeyValuePair<string, string>> QueueResult(QueueMember member, string result, DateTimeOffset leftAt) =>
    [
        new("QueueResult", result),
        new("QueueSid", member.Queue.Sid),
        new("QueueTime", SimQueue.WaitSeconds(member, leftAt).ToString(CultureInfo.InvariantCulture)),
    ];

    /// <summary><c>&lt;Leave&gt;</c>: out of the queue, then the Enqueue action (or the verb after it).</summary>
    private void LeaveQueue(TwimlSession session, QueueMember member, string result, DateTimeOffset at)
    {
        Dequeue(member, at);
        session.Member = null;
        member.Entry.Outcome = result;
        ContinueAfter(session, member.Action, member.Method, QueueResult(member, result, at), member.After, at);
    }

    private static void Dequeue(QueueMember member, DateTimeOffset at)
    {
        member.Queue.Members.Remove(member);
        member.Queue.DateUpdated = at;
    }

    private void StartBridge(TwimlSession dialler, DialState dial, QueueMember member, DateTimeOffset at)
    {
        Dequeue(member, at);
        dialler.Epoch++;
        member.Session.Epoch++;
        CloseOpenEntries(member.Session, "bridged", member.Entry);
        Answer(dialler, at);
        var bridge = new Bridge { Dialer = dialler, Member = member, Start = at };
        dial.Bridge = bridge;
        dial.AnsweredAt = at;
        dial.DialCallSid = member.Session.Call.Sid;
        member.Bridge = bridge;
        var talk = Min(options.Scaled(options.TalkDuration), dial.TimeLimit);
        scheduler.Schedule(at + talk, due => Locked(() => EndBridge(bridge, due, null)));
    }

    /// <summary>
    /// Ends a bridge: the dialler's Dial action gets <c>DialCallStatus=completed</c> and the member's Enqueue action
    /// <c>QueueResult=bridged</c>; each side that is still there continues with what its action returns.
    /// </summary>
    private void EndBridge(Bridge bridge, DateTimeOffset at, TwimlSession? leaving)
    {
        if (bridge.Ended)
        {
            return;
        }

        bridge.Ended = true;
        var dialler = bridge.Dialer;
        if (dialler.Dial is { } dial && dial.Bridge == bridge)
        {
            dialler.Dial = null;
            dial.Entry.Outcome = "completed";
            var parameters = DialParameters(dialler, dial, "completed", at);
            Continue(dialler, dial.Action, dial.Method, parameters, dial.After, at, leaving);
        }

        var member = bridge.Member;
        if (member.Session.Member == member)
        {
            member.Session.Member = null;
            member.Entry.Outcome = "bridged";
            Continue(member.Session, member.Action, member.Method, QueueResult(member, "bridged", bridge.Start), member.After, at, leaving);
        }
    }

    /// <summary>The side that is <paramref name="leaving"/> only has its action requested (response ignored) when it hung up.</summary>
    private void Continue(
        TwimlSession session, string? action, string method, List<KeyValuePair<string, string>> parameters, Resume after, DateTimeOffset at, TwimlSession? leaving)
    {
        if (session != leaving)
        {
            session.Epoch++;
            ContinueAfter(session, action, method, parameters, after, at);
        }
        else if (session.Ended && action is not null)
        {
            Notify(session, action, method, parameters, at);
        }
    }

    private SimQueue QueueNamed(string accountSid, string name, DateTimeOffset at, int? maxSize)
    {
        if (_queues.FirstOrDefault(q => q.AccountSid == accountSid && q.FriendlyName == name) is { } existing)
        {
            return existing;
        }

        var queue = new SimQueue
        {
            Sid = TwilioFormat.NewSid("QU"),
            AccountSid = accountSid,
            FriendlyName = name,
            MaxSize = maxSize ?? SimQueue.DefaultMaxSize,
            DateCreated = at,
            DateUpdated = at,
        };
        _queues.Add(queue);
        return queue;
    }
}
