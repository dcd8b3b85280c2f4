// A typedoc plugin: with one entry point per package (typedoc.json), typedoc names each module
// by its path ("core/src"); readers look for the package name ("@cache/core").
import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const match = /^([a-z0-9-]+)\/src$/.exec(module.name);
      if (match !== null) module.name = `@cache/${match[1]}`;
    }
  });
}
