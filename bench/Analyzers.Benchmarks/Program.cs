using System;

namespace Bench;

public static class Program
{
    /// <summary>
    /// <c>dotnet run -c Release -- telemetry [runs]</c> prints the analyzers' own execution time against the compiler's;
    /// anything else goes to BenchmarkDotNet (e.g. <c>--filter '*'</c>).
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "telemetry")
        {
            int runs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
            return TelemetryReport.Run(runs, Console.Out);
        }
        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
