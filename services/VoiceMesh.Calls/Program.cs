using VoiceMesh.Calls.CallRecordings;
using VoiceMesh.Calls.CallStreams;
using VoiceMesh.Calls.Control;
using VoiceMesh.Calls.Flows;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.Calls.MachineDetection;
using VoiceMesh.Calls.Outbox;
using VoiceMesh.Calls.Placement;
using VoiceMesh.Calls.Queues;
using VoiceMesh.Calls.Reconciliation;
using VoiceMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddEventStore("calls").AddCallsOutbox();
builder.AddCallLifecycle();
builder.AddCallPlacement();
builder.AddCallControl();
builder.AddMachineDetection();
builder.AddCallReconciliation();
builder.AddCallFlows();
builder.AddCallQueues();
builder.AddCallRecordings();
builder.AddCallStreams();
builder.AddMessaging();

var app = builder.Build();
app.UseServiceDefaults();
var calls = app.MapGroup("/api/calls");
calls.MapCallLifecycle();
calls.MapCallPlacement();
calls.MapCallControl();
app.MapGroup("/api/flows").MapCallFlows();
app.MapGroup("/api/queues").MapCallQueues();
app.MapFlowTwiml();
app.Run();

public partial class Program;
