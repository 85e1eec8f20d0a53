using VoiceMesh.NumberPool;
using VoiceMesh.NumberPool.Leasing;
using VoiceMesh.NumberPool.Lifecycle;
using VoiceMesh.NumberPool.Outbox;
using VoiceMesh.NumberPool.Pools;
using VoiceMesh.NumberPool.Provisioning;
using VoiceMesh.NumberPool.Reputation;
using VoiceMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddValidatedOptions<NumberPoolOptions>();
builder.AddEventStore("numberpool").ApplyAllDatabaseChangesOnStartup().AddNumbersOutbox();
builder.AddPools();
builder.AddNumberLifecycle();
builder.AddProvisioning();
builder.AddCallerIdLeasing();
builder.AddNumberReputation();
builder.AddMessaging();

var app = builder.Build();
app.UseServiceDefaults();
var numbers = app.MapGroup("/api/numbers");
numbers.MapPools();
numbers.MapProvisioning();
numbers.MapCallerIdLeasing();
numbers.MapNumberLifecycle();
app.Run();

public partial class Program;
