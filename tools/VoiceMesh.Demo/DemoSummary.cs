namespace VoiceMesh.Demo;

internal sealed record PoolSummary(string Name, IReadOnlyList<string> Numbers);

/// <summary>One outbound call as VoiceMesh saw it: its statuses in order, or why it was never placed.</summary>
internal sealed record CallSummary(
    string Label, string To, string? CallSid, string Status, IReadOnlyList<string> History, int? TwilioErrorCode, string? AnsweredBy, string? From,
    string TraceId);

/// <summary>The inbound call through the IVR: the steps it took, the queue it waited in and what ended its wait.</summary>
internal sealed record IvrSummary(string Number, string FlowId, string CallSid, IReadOnlyList<string> Path, string Queue, int Position, string QueueResult);

internal sealed record RecordingSummary(string RecordingSid, string BlobUri, long SizeBytes, string Sha256);

internal sealed record ConferenceSummary(string Name, string ConferenceSid, IReadOnlyList<string> Timeline, RecordingSummary Recording);

internal sealed record StreamSummary(string StreamSid, string CallSid, IReadOnlyList<(long StartMs, long StopMs)> Speech, string Digits);

/// <summary>What the demo did and what the mesh made of it, printed for the person who ran it.</summary>
internal sealed record DemoSummary(
    PoolSummary Pool, IReadOnlyList<CallSummary> Calls, IvrSummary Ivr, ConferenceSummary Conference, StreamSummary Stream, DemoOptions Options)
{
    public void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("VoiceMesh demo: what happened");
        output.WriteLine($"  number pool {Pool.Name}: {string.Join(", ", Pool.Numbers)} (provisioned through NumberPool, active)");
        output.WriteLine("  outbound calls (Calls; caller id leased from the pool):");
        foreach (var call in Calls)
        {
            var outcome = call.CallSid is null
                ? $"{call.Status}, Twilio error {call.TwilioErrorCode}"
                : $"{call.CallSid} from {call.From}: {string.Join(" > ", call.History)}{(call.AnsweredBy is { } by ? $", answered by {by}" : "")}";
            output.WriteLine($"    {call.Label,-15} {call.To}  {outcome}");
            output.WriteLine($"    {"",-15} trace {call.TraceId}");
        }

        output.WriteLine($"  inbound call {Ivr.CallSid} to {Ivr.Number}, answered by flow {Ivr.FlowId} (Calls):");
        output.WriteLine($"    path       {string.Join(" > ", Ivr.Path)}");
        output.WriteLine($"    queue      {Ivr.Queue}: waited at position {Ivr.Position}, left it {Ivr.QueueResult} to agent {DemoScenario.Agent}");
        output.WriteLine($"  conference {Conference.Name} ({Conference.ConferenceSid}; Conferences):");
        output.WriteLine($"    timeline   {string.Join(", ", Conference.Timeline)}");
        output.WriteLine($"    recording  {Conference.Recording.RecordingSid}, archived by Recordings and deleted at Twilio:");
        output.WriteLine($"               {Conference.Recording.BlobUri}");
        output.WriteLine($"               {Conference.Recording.SizeBytes:N0} bytes, SHA-256 {Conference.Recording.Sha256}");
        output.WriteLine($"  media stream {Stream.StreamSid} of call {Stream.CallSid} (MediaStreams):");
        output.WriteLine($"    speech     {string.Join(", ", Stream.Speech.Select(s => $"{s.StartMs}-{s.StopMs} ms"))}");
        output.WriteLine($"    digits     {Stream.Digits}");
        output.WriteLine();
        output.WriteLine($"  console          {Options.Gateway}console (sign in with the API key): calls, conferences, queues, pools, recordings, error queues");
        output.WriteLine($"  API              {Options.Gateway}api/calls/{{CallSid}} (header X-Api-Key), reference {Options.Gateway}docs");
        output.WriteLine($"  simulator        {Options.Simulator}_sim/requests, {Options.Simulator}_sim/webhooks");
        output.WriteLine("  traces           Jaeger (with OTEL_EXPORTER_OTLP_ENDPOINT set): search by trace id, or the tag twilio.call_sid");
    }
}
