using VoiceMesh.Demo;

// ./voicemesh demo runs this against the mesh it brought up:
//   VoiceMesh.Demo --gateway URL --api-key KEY --simulator URL --public-base-url URL
var options = DemoOptions.Parse(args, out var error);
if (options is null)
{
    await Console.Error.WriteLineAsync($"{error}\nusage: VoiceMesh.Demo --gateway URL --api-key KEY --simulator URL --public-base-url URL");
    return 2;
}

using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(5));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
try
{
    var summary = await new DemoScenario(options, Console.Out).Run(cancel.Token);
    summary.Print(Console.Out);
    return 0;
}
catch (Exception ex) when (ex is DemoException or HttpRequestException or TaskCanceledException)
{
    await Console.Error.WriteLineAsync($"the demo stopped: {ex.Message}");
    return 1;
}
