using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace WebSocketHandoff.Analyzers
{
    // WSH004 (c): [UnsafeAccessor] methods whose target is a System.Net.WebSockets type.
    public sealed partial class WebSocketReflectionAnalyzer
    {
        private sealed partial class Analysis
        {
            // (c) [UnsafeAccessor] methods whose target is a System.Net.WebSockets type.
            public void AnalyzeMethod(SymbolAnalysisContext context)
            {
                var method = (IMethodSymbol)context.Symbol;
                if (!method.IsExtern || !method.IsStatic)
                {
                    return;
                }

                foreach (AttributeData attribute in method.GetAttributes())
                {
                    if (!IsAttribute(attribute, "UnsafeAccessorAttribute"))
                    {
                        continue;
                    }

                    bool isConstructor = attribute.ConstructorArguments.Length > 0
                        && attribute.ConstructorArguments[0].Kind == TypedConstantKind.Enum
                        && attribute.ConstructorArguments[0].Value is int kind
                        && kind == UnsafeAccessorKindConstructor;

                    string? targetName = null;
                    if (isConstructor)
                    {
                        targetName = TargetTypeName(method.ReturnType, method.GetReturnTypeAttributes());
                    }
                    else if (method.Parameters.Length > 0)
                    {
                        IParameterSymbol first = method.Parameters[0];
                        targetName = TargetTypeName(first.Type, first.GetAttributes());
                    }

                    if (targetName is not null && !method.Locations.IsEmpty)
                    {
                        string what = "The UnsafeAccessor method '" + method.Name + "' (target '" + targetName + "')";
                        context.ReportDiagnostic(Diagnostic.Create(Descriptors.WebSocketReflection, method.Locations[0], what));
                    }

                    return;
                }
            }

            /// <summary>The name of the System.Net.WebSockets type an accessor targets, from its signature or [UnsafeAccessorType].</summary>
            private static string? TargetTypeName(ITypeSymbol type, ImmutableArray<AttributeData> attributes)
            {
                if (type is INamedTypeSymbol named && IsWebSocketsType(named))
                {
                    return named.Name;
                }

                foreach (AttributeData attribute in attributes)
                {
                    if (IsAttribute(attribute, "UnsafeAccessorTypeAttribute")
                        && attribute.ConstructorArguments.Length > 0
                        && attribute.ConstructorArguments[0].Kind == TypedConstantKind.Primitive
                        && attribute.ConstructorArguments[0].Value is string typeName
                        && TryGetWebSocketsTypeName(typeName, out string metadataName))
                    {
                        return metadataName.Substring(WebSocketsNamespacePrefix.Length);
                    }
                }

                return null;
            }

            private static bool IsAttribute(AttributeData attribute, string name) =>
                attribute.AttributeClass is { } attributeClass
                && attributeClass.Name == name
                && attributeClass.ContainingNamespace?.ToDisplayString() == "System.Runtime.CompilerServices";
        }
    }
}
